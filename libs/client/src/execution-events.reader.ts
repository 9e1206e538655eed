import type { CallOptions } from './api-call';
import type { Display, ExecutionResult } from './api-types';
import { readResumableEventStream, type ResumeOptions } from './event-stream.resumer';

/**
 * One event of an execution, as `stream` yields it. `eventId` is the
 * stream's own (1, 2, 3...): pass the last one seen as `lastEventId` to read
 * on from there. `result` is always the last event.
 */
export type ExecutionEvent = { eventId: string } & (
  | { type: 'status'; status: 'queued' | 'running'; workerId?: string }
  | { type: 'stdout'; text: string }
  | { type: 'stderr'; text: string }
  /** A session cell's display() call or open figure, as an item of its result's `displays`. */
  | { type: 'display'; display: Display }
  /** The final result, exactly as `get` answers it. */
  | { type: 'result'; result: ExecutionResult }
);

export interface StreamOptions extends CallOptions {
  /** Read on after this event (an event's `eventId`) instead of from the first. */
  lastEventId?: string;
}

/** Event types this client does not know yet (a newer service) are skipped, not fatal. */
const toExecutionEvent = (event: string, data: string, eventId: string): ExecutionEvent | undefined => {
  switch (event) {
    case 'status': {
      const { status, workerId } = JSON.parse(data) as { status: 'queued' | 'running'; workerId?: string };
      return { eventId, type: 'status', status, ...(workerId ? { workerId } : {}) };
    }
    case 'stdout':
    case 'stderr':
      return { eventId, type: event, text: (JSON.parse(data) as { text: string }).text };
    case 'display':
      return { eventId, type: 'display', display: JSON.parse(data) as Display };
    case 'result':
      return { eventId, type: 'result', result: JSON.parse(data) as ExecutionResult };
    default:
      return undefined;
  }
};

/**
 * An execution's events from `open` (a job's or a session cell's stream),
 * resumed after a dropped connection, ending with the `result` event (or at
 * once, when `lastEventId` was the result's own).
 */
export async function* readExecutionEvents(
  open: (lastEventId: string | undefined) => Promise<ReadableStream<Uint8Array> | null>,
  options: ResumeOptions,
): AsyncGenerator<ExecutionEvent> {
  for await (const { event, data, id } of readResumableEventStream(open, options)) {
    const parsed = toExecutionEvent(event, data, id ?? '');
    if (!parsed) continue;
    yield parsed;
    if (parsed.type === 'result') return;
  }
}
