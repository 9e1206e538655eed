import { call, pause } from './api-call';
import { ServiceUnavailable, Unreachable } from './client.errors';
import { readEventStream, type ServerSentEvent } from './event-stream.reader';

/** A stream that ends early is opened again this many times at most in a row without a new event. */
export const MAX_RECONNECTS = 5;
const RECONNECT_PAUSE_MS = 500;

export interface ResumeOptions {
  /** Start after this event id instead of from the start. */
  lastEventId?: string;
  signal?: AbortSignal;
  /** What the stream is, for the error when it keeps ending early: `the build log of "x"`. */
  what: string;
}

/** Asks for an event stream, resumed after `lastEventId` when given (the standard's Last-Event-ID header). */
export const eventStreamHeaders = (lastEventId?: string): Record<string, string> => ({
  accept: 'text/event-stream',
  ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
});

/**
 * The body of a streamed answer (an openapi-fetch call with `parseAs:
 * 'stream'`), or the typed error of an error answer; null for 204, the
 * answer to a Last-Event-ID at or past the stream's last event.
 */
export const streamOf = async (
  baseUrl: string,
  pending: Promise<{ data?: ReadableStream<Uint8Array> | null; error?: unknown; response: Response }>,
  what: string,
): Promise<ReadableStream<Uint8Array> | null> => {
  const { data, response } = await call(baseUrl, pending);
  if (response.status === 204) return null;
  if (!data) throw new Error(`${what} came without a body`);
  return data;
};

/**
 * The events of a stream that the server may end, or the network break,
 * before the event the caller waits for: after each early end it is opened
 * again with the last event id seen (Last-Event-ID), so that no event is lost
 * or repeated. The caller stops the iteration once it has its last event;
 * until then this keeps reconnecting, and gives up after MAX_RECONNECTS tries
 * in a row that brought nothing new. `open` answering null (nothing after
 * that id) ends the iteration.
 */
export async function* readResumableEventStream(
  open: (lastEventId: string | undefined) => Promise<ReadableStream<Uint8Array> | null>,
  { lastEventId, signal, what }: ResumeOptions,
): AsyncGenerator<ServerSentEvent> {
  let resumeFrom = lastEventId;
  for (let reconnects = 0, first = true; ; first = false) {
    signal?.throwIfAborted();
    let body: ReadableStream<Uint8Array> | null | undefined;
    try {
      body = await open(resumeFrom);
    } catch (error) {
      // The first answer is the caller's (NotFound, Unauthorized...); later, a service restarting is waited out.
      if (first || !(error instanceof Unreachable || error instanceof ServiceUnavailable)) throw error;
    }
    if (body === null) return; // nothing after resumeFrom: the stream had ended
    let progressed = false;
    try {
      for await (const event of readEventStream(body ?? emptyBody(), signal)) {
        if (event.id !== undefined) {
          resumeFrom = event.id;
          progressed = true;
        }
        yield event;
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      // The connection broke mid-stream: resume below, like a stream that ended early.
    }
    reconnects = progressed ? 0 : reconnects + 1;
    if (reconnects > MAX_RECONNECTS) throw new Error(`${what} kept ending early`);
    await pause(RECONNECT_PAUSE_MS, signal);
  }
}

const emptyBody = (): ReadableStream<Uint8Array> => new ReadableStream({ start: (controller) => controller.close() });
