import { ApiError, type ApiClient } from './api.client';
import type { Display, ExecutionStatus, RunResult } from './api.types';
import { EventStreamParser, type StreamEvent } from './event-stream.parser';
import {
  executionPath,
  executionsPath,
  replayResult,
  type Given,
  type RunEvents,
  type RunTarget,
  type RunTransport,
} from './run.transport';
import type { WaitRunTransport } from './wait-run.transport';

const EVENT_STREAM = 'text/event-stream';
/**
 * The longest event read: the `result` is the largest, carrying the outputs,
 * displays and files, all of them under the server's caps. A result this
 * large would not be drawn by a page anyway.
 */
const MAX_EVENT_CHARS = 128 * 1024 * 1024;
/** Resumes in a row that bring nothing new before the run is given up as unreachable. */
const MAX_RESUMES = 5;
const RESUME_BACKOFF_MS = 500;

const isEventStream = (response: Response): boolean =>
  response.headers.get('content-type')?.split(';')[0].trim() === EVENT_STREAM;

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** The server has no events route (a server from before them, or a proxy that does not pass them). */
const isMissingRoute = (error: unknown): boolean =>
  error instanceof ApiError && (error.status === 404 || error.status === 405);

/** The server holds as many streams open as it will, for this key (429) or for all (503). */
const isOutOfStreams = (error: unknown): boolean =>
  error instanceof ApiError && (error.status === 429 || error.status === 503);

/**
 * Runs through the execution events stream (`status`, `stdout`, `stderr`,
 * `display`, then `result`), so output shows as it is written:
 * `POST …/executions` with `Accept: text/event-stream` answers with the stream
 * itself; a server that answers it with JSON instead (a session's cells) gets
 * the stream read from `GET …/executions/:id/events`. The stream is read with
 * fetch, not EventSource, which cannot send the Authorization header.
 *
 * A stream that breaks off before its `result` is resumed after the last event
 * seen (Last-Event-ID). A server with no events route (404 or 405) gets
 * `?wait=true` instead, for that run and every later one of the same kind, so
 * the page works against a server without streams; so does a run the server
 * has no stream to spare for (429 or 503), that once.
 */
export class StreamRunTransport implements RunTransport {
  /** The kinds of target whose events route this server lacks. */
  private readonly unstreamed = new Set<RunTarget['kind']>();

  constructor(
    private readonly api: ApiClient,
    private readonly wait: WaitRunTransport,
  ) {}

  async run(target: RunTarget, events: RunEvents, signal?: AbortSignal): Promise<void> {
    if (this.unstreamed.has(target.kind)) return this.wait.run(target, events, signal);
    let response: Response;
    try {
      response = await this.api.send('POST', executionsPath(target), {
        body: target.request,
        signal,
        headers: { accept: EVENT_STREAM },
      });
    } catch (error) {
      // A stream refused before the run was queued: nothing runs twice.
      if (isOutOfStreams(error)) return this.wait.run(target, events, signal);
      throw error;
    }
    const run = new StreamedRun(events);
    if (!isEventStream(response)) {
      const queued = (await response.json().catch(() => undefined)) as RunResult | undefined;
      if (typeof queued?.id !== 'string')
        throw new ApiError(0, 'the API answered the run with neither a stream nor an id');
      return this.follow(target, queued.id, run, signal);
    }
    if (await run.read(response)) return;
    signal?.throwIfAborted();
    const id = response.headers.get('x-execution-id');
    if (!id) throw new ApiError(0, 'the event stream broke off before the result, and named no execution to resume');
    return this.follow(target, id, run, signal);
  }

  /** Reads the execution's events from their own route, from after the last one seen, until its result. */
  private async follow(target: RunTarget, id: string, run: StreamedRun, signal?: AbortSignal): Promise<void> {
    for (let fruitless = 0; ;) {
      const seen = run.lastId;
      let response: Response;
      try {
        response = await this.api.send('GET', `${executionPath(target, id)}/events`, {
          signal,
          headers: { accept: EVENT_STREAM, ...(seen === undefined ? {} : { 'last-event-id': String(seen) }) },
        });
      } catch (error) {
        if (isMissingRoute(error) && seen === undefined) this.unstreamed.add(target.kind);
        if ((isMissingRoute(error) && seen === undefined) || isOutOfStreams(error))
          return this.waitFor(target, id, run, signal);
        // Anything but a lost connection (a refused key, an execution gone) is the answer.
        if (!(error instanceof ApiError && error.status === 0) || signal?.aborted || ++fruitless > MAX_RESUMES)
          throw error;
        await sleep(RESUME_BACKOFF_MS * fruitless, signal);
        continue;
      }
      // 204: nothing after the last event seen, which the server counts as past the result; the result is read instead.
      if (!isEventStream(response)) {
        void response.body?.cancel();
        return this.waitFor(target, id, run, signal);
      }
      if (await run.read(response)) return;
      signal?.throwIfAborted();
      fruitless = run.lastId === seen ? fruitless + 1 : 0;
      if (fruitless > MAX_RESUMES) throw new ApiError(0, 'the event stream kept breaking off before the result');
      await sleep(RESUME_BACKOFF_MS * fruitless, signal);
    }
  }

  /** The run's result through `?wait=true`, after whatever its stream gave. */
  private async waitFor(target: RunTarget, id: string, run: StreamedRun, signal?: AbortSignal): Promise<void> {
    const first = await this.api.get<RunResult>(`${executionPath(target, id)}?wait=true`, signal);
    run.finish(await this.wait.untilFinal(target, first, run, signal));
  }
}

/**
 * One run's events as they arrive, over however many connections: each event
 * is passed on once (an id at or below the last one seen is a repeat), and the
 * result tops up whatever output the stream did not carry, so the page ends
 * with all of the result either way.
 */
class StreamedRun {
  lastId: number | undefined;
  private readonly given: Given = { stdoutChars: 0, stderrChars: 0, displays: 0 };

  constructor(private readonly events: RunEvents) {}

  /** True once the result has come; false when the stream ended or broke off first. */
  async read(response: Response): Promise<boolean> {
    if (!response.body) return false;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new EventStreamParser(MAX_EVENT_CHARS);
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch {
          return false; // the connection broke, or the run was abandoned: the caller tells which
        }
        const events = chunk.done ? parser.end() : parser.push(decoder.decode(chunk.value, { stream: true }));
        for (const event of events) if (this.take(event)) return true;
        if (chunk.done) return false;
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  }

  status(status: ExecutionStatus): void {
    this.events.status(status);
  }

  /** The final result: first any output the stream left out, then the result itself. */
  finish(result: RunResult): void {
    replayResult(result, this.events, this.given);
  }

  /** Passes one event on; true when it was the result. */
  private take({ event, data, id }: StreamEvent): boolean {
    const n = id === undefined ? undefined : Number(id);
    if (n !== undefined && Number.isSafeInteger(n)) {
      if (this.lastId !== undefined && n <= this.lastId) return false;
      this.lastId = n;
    }
    let body: unknown;
    try {
      body = JSON.parse(data);
    } catch {
      throw new ApiError(0, `the event stream sent a ${event} event that is not JSON`);
    }
    const text = (body as { text?: unknown }).text;
    switch (event) {
      case 'status': {
        const { status } = body as { status?: unknown };
        if (typeof status === 'string') this.events.status(status as ExecutionStatus);
        return false;
      }
      case 'stdout':
        if (typeof text === 'string') {
          this.given.stdoutChars += text.length;
          this.events.stdout(text);
        }
        return false;
      case 'stderr':
        if (typeof text === 'string') {
          this.given.stderrChars += text.length;
          this.events.stderr(text);
        }
        return false;
      case 'display':
        this.given.displays++;
        this.events.display(body as Display);
        return false;
      case 'result':
        this.finish(body as RunResult);
        return true;
      default:
        return false; // a kind of event this page does not know yet
    }
  }
}
