import type { Client } from 'openapi-fetch';
import { call, untilFinal, type CallOptions } from './api-call';
import { isFinal, type CellRequest, type ExecutionAccepted, type ExecutionResult, type SessionInfo } from './api-types';
import type { paths } from './generated/openapi';
import { eventStreamHeaders, streamOf } from './event-stream.resumer';
import { readExecutionEvents, type ExecutionEvent, type StreamOptions } from './execution-events.reader';
import { SessionFilesApi } from './session-files.api';

/** A cell's stdin and time limit (the session's `limits.timeoutMs` when left out). */
export type CellOptions = Omit<CellRequest, 'code'> & CallOptions;

/**
 * One session: a Python interpreter on the service that keeps its globals,
 * imports and working directory between cells. Made by
 * `SandboxClient.createSession`, or for one that exists by
 * `SandboxClient.session(id)`.
 *
 * Every call on a session that has ended (closed, expired, dead or lost)
 * rejects with SessionGone, which says how and why; on another key's
 * session, or one that ended longer ago than the service keeps results, with
 * NotFound. A cell sent while the session has as many cells queued as it may
 * rejects with QuotaExceeded and its `retryAfter`.
 */
export class Session {
  readonly files: SessionFilesApi;

  constructor(
    private readonly http: Client<paths>,
    private readonly baseUrl: string,
    /** The session as it was when this handle was made; `describe()` reads it as it is now. */
    readonly info: SessionInfo,
  ) {
    this.files = new SessionFilesApi(http, baseUrl, info.id);
  }

  get id(): string {
    return this.info.id;
  }

  /** When its lifetime ends (ISO 8601); it also closes after `info.idleTimeoutSeconds` without a cell. */
  get expiresAt(): string {
    return this.info.expiresAt;
  }

  /**
   * Runs a cell and resolves with its final result: a job's, plus `result`
   * (the value of a trailing expression) and `displays` (figures left open,
   * display() calls). Cells run one at a time in the order sent. The service
   * holds the request up to its wait cap; a cell still going then is waited
   * for here. A cell over its time limit ends as `timeout`, with the session
   * still alive unless its interpreter had to be killed (then it is dead).
   */
  async run(code: string, { signal, ...cell }: CellOptions = {}): Promise<ExecutionResult> {
    const { data } = await call(
      this.baseUrl,
      this.http.POST('/v1/sessions/{id}/executions', {
        params: { path: { id: this.id }, query: { wait: 'true' } },
        body: { ...cell, code },
        signal,
      }),
    );
    return isFinal(data) ? data : this.wait(data.id, { signal });
  }

  /** Queues a cell and resolves at once with its id; `get` and `wait` read it. */
  async submit(code: string, { signal, ...cell }: CellOptions = {}): Promise<ExecutionAccepted> {
    const { data } = await call(
      this.baseUrl,
      this.http.POST('/v1/sessions/{id}/executions', {
        params: { path: { id: this.id } },
        body: { ...cell, code },
        signal,
      }),
    );
    // Without ?wait the service answers 202; a cell is never final that soon.
    return { id: data.id, status: 'queued' };
  }

  /** A cell of this session as it is now. */
  async get(executionId: string, options: CallOptions = {}): Promise<ExecutionResult> {
    return this.readCell(executionId, false, options);
  }

  /**
   * The cell's events as they happen: `status`, `stdout` and `stderr`
   * chunks, `display` for each figure or display() call, and last the
   * `result`, after which the iteration ends. Resumed after a dropped
   * connection as `SandboxClient.stream` is.
   */
  stream(executionId: string, { lastEventId, signal }: StreamOptions = {}): AsyncGenerator<ExecutionEvent> {
    const what = `the events of cell ${executionId}`;
    const open = (resumeFrom: string | undefined) =>
      streamOf(
        this.baseUrl,
        this.http.GET('/v1/sessions/{id}/executions/{executionId}/events', {
          params: { path: { id: this.id, executionId } },
          headers: eventStreamHeaders(resumeFrom),
          parseAs: 'stream',
          signal,
        }),
        what,
      );
    return readExecutionEvents(open, { lastEventId, signal, what });
  }

  /** Resolves once the cell is final, long-polling the service. */
  async wait(executionId: string, options: CallOptions = {}): Promise<ExecutionResult> {
    return untilFinal(() => this.readCell(executionId, true, options), options.signal);
  }

  /** The session now: status (`ready` or `busy` while open), times, cells run, memory use. */
  async describe({ signal }: CallOptions = {}): Promise<SessionInfo> {
    return (await call(this.baseUrl, this.http.GET('/v1/sessions/{id}', { params: { path: { id: this.id } }, signal })))
      .data;
  }

  /** Closes the session: a cell running in it is stopped, and its container removed. SessionGone when it had already ended. */
  async close({ signal }: CallOptions = {}): Promise<void> {
    await call(this.baseUrl, this.http.DELETE('/v1/sessions/{id}', { params: { path: { id: this.id } }, signal }));
  }

  private async readCell(executionId: string, wait: boolean, { signal }: CallOptions): Promise<ExecutionResult> {
    const { data } = await call(
      this.baseUrl,
      this.http.GET('/v1/sessions/{id}/executions/{executionId}', {
        params: { path: { id: this.id, executionId }, query: wait ? { wait: 'true' } : {} },
        signal,
      }),
    );
    return data;
  }
}
