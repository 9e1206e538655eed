import createClient, { type Client } from 'openapi-fetch';
import { call, untilFinal, type CallOptions } from './api-call';
import {
  isFinal,
  type ExecutionRequest,
  type ExecutionResult,
  type ExecutionStatus,
  type ExecutionSummary,
  type HistoryPage,
  type SessionInfo,
  type SessionRequest,
} from './api-types';
import { EnvironmentsApi } from './environments.api';
import { eventStreamHeaders, streamOf } from './event-stream.resumer';
import { readExecutionEvents, type ExecutionEvent, type StreamOptions } from './execution-events.reader';
import type { paths } from './generated/openapi';
import { KeysApi } from './keys.api';
import { Session } from './session.api';

export interface SandboxClientOptions {
  /** Where the service is, e.g. "http://localhost:3000". */
  baseUrl: string;
  /** Sent as "Authorization: Bearer <apiKey>"; leave it out only for a service with AUTH=off. */
  apiKey?: string;
  /** Another fetch (a proxy agent, a test double); the global one by default. */
  fetch?: (request: Request) => Promise<Response>;
  /** Extra headers on every request, e.g. an X-Request-Id. */
  headers?: Record<string, string>;
}

export interface IdempotencyOptions {
  /**
   * Sent as the Idempotency-Key header: the same key with the same request,
   * from the same API key within 24 h, answers the execution(s) the first
   * request made instead of running new ones (`replayed: true`). The same key
   * with another request rejects with IdempotencyConflict. Up to 255
   * printable ASCII characters, no spaces.
   */
  idempotencyKey?: string;
}

/** Everything of a job but its code (`webhook: { url }` POSTs its final result there, signed), and an idempotency key. */
export type SubmitOptions = Omit<ExecutionRequest, 'code'> & IdempotencyOptions & CallOptions;

export interface OutputCallbacks {
  /**
   * Called with each piece of stdout as the program prints it, in order;
   * together they are the result's stdout. From a service without execution
   * events, called once with all of it when the result is in.
   */
  onStdout?: (text: string) => void;
  /** As onStdout, for stderr. */
  onStderr?: (text: string) => void;
}

export type RunOptions = SubmitOptions & OutputCallbacks;

/** What a submission answers: the id, the status now, and whether an earlier request with the same idempotency key made it. */
export interface Submission {
  id: string;
  /** `queued` for a new execution; a replayed one may have run already. */
  status: ExecutionStatus;
  replayed: boolean;
}

/** The ids of a batch's executions, in the order of the batch. */
export interface BatchSubmission {
  ids: string[];
  replayed: boolean;
}

/** A filter on the history: one status, one environment; `limit` is the page size (1 to 100, 20 by default). */
export interface HistoryQuery extends CallOptions {
  limit?: number;
  /** Start after this point: a page's `nextCursor`. */
  cursor?: string;
  status?: ExecutionStatus;
  environment?: string;
}

/** Every field optional: environment, limits, idleTimeoutSeconds, maxLifetimeSeconds, files. */
export type CreateSessionOptions = SessionRequest & CallOptions;

const idempotencyHeader = (key: string | undefined) => (key === undefined ? {} : { 'Idempotency-Key': key });

const isReplay = (response: Response): boolean => response.headers.get('idempotent-replayed') === 'true';

/**
 * A client for one SimplePySandbox service and one API key. Works in Node 20+
 * and in browsers: it needs only fetch, ReadableStream and TextDecoder.
 *
 * ```ts
 * const sps = new SandboxClient({ baseUrl: 'http://localhost:3000', apiKey });
 * const result = await sps.run('print(1 + 1)');
 * ```
 */
export class SandboxClient {
  readonly environments: EnvironmentsApi;
  readonly keys: KeysApi;
  readonly baseUrl: string;
  private readonly http: Client<paths>;

  constructor(options: SandboxClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.http = createClient<paths>({
      baseUrl: this.baseUrl,
      fetch: options.fetch,
      headers: { ...options.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
    });
    this.environments = new EnvironmentsApi(this.http, this.baseUrl);
    this.keys = new KeysApi(this.http, this.baseUrl);
  }

  /**
   * Runs the code and resolves with its final result. The service holds the
   * request up to its wait cap; a job still going then is waited for here.
   */
  async run(
    code: string,
    { signal, idempotencyKey, onStdout, onStderr, ...request }: RunOptions = {},
  ): Promise<ExecutionResult> {
    if (onStdout || onStderr) return this.runLive(code, request, { signal, idempotencyKey, onStdout, onStderr });
    const { data, response } = await call(
      this.baseUrl,
      this.http.POST('/v1/executions', {
        params: { query: { wait: 'true' }, header: idempotencyHeader(idempotencyKey) },
        body: { ...request, code },
        signal,
      }),
    );
    return response.status === 202 || !isFinal(data) ? this.wait(data.id, { signal }) : data;
  }

  /** Queues the code and resolves at once with its id; follow it with get, wait, stream or cancel. */
  async submit(code: string, { signal, idempotencyKey, ...request }: SubmitOptions = {}): Promise<Submission> {
    const { data, response } = await call(
      this.baseUrl,
      this.http.POST('/v1/executions', {
        params: { header: idempotencyHeader(idempotencyKey) },
        body: { ...request, code },
        signal,
      }),
    );
    return { id: data.id, status: data.status, replayed: isReplay(response) };
  }

  /**
   * Queues several executions at once, all or none: one invalid item refuses
   * the batch (ValidationFailed names it by index, `executions.3.code`), and
   * so does a batch that would take the key past its executions in flight
   * (QuotaExceeded). The service caps a batch's length (100 by default).
   */
  async submitBatch(
    executions: ExecutionRequest[],
    { signal, idempotencyKey }: IdempotencyOptions & CallOptions = {},
  ): Promise<BatchSubmission> {
    const { data, response } = await call(
      this.baseUrl,
      this.http.POST('/v1/executions/batch', {
        params: { header: idempotencyHeader(idempotencyKey) },
        body: { executions },
        signal,
      }),
    );
    return { ids: data.ids, replayed: isReplay(response) };
  }

  /** The execution as it is now. NotFound for an unknown, expired or another key's id. */
  async get(id: string, { signal }: CallOptions = {}): Promise<ExecutionResult> {
    return (await call(this.baseUrl, this.http.GET('/v1/executions/{id}', { params: { path: { id } }, signal }))).data;
  }

  /**
   * Several executions in one call, as `get` reads each, in the order asked;
   * null for an id that is unknown, expired or another key's. The service
   * caps how many one call may ask for (100 by default).
   */
  async getMany(ids: readonly string[], { signal }: CallOptions = {}): Promise<(ExecutionResult | null)[]> {
    if (ids.length === 0) return [];
    // The ids travel comma-separated: one holding a comma would shift every answer after it.
    const odd = ids.find((id) => id === '' || id.includes(','));
    if (odd !== undefined) throw new TypeError(`not an execution id: ${JSON.stringify(odd)}`);
    const { data } = await call(
      this.baseUrl,
      this.http.GET('/v1/executions', { params: { query: { ids: ids.join(',') } }, signal }),
    );
    // With ?ids= the service answers full results (or null), not summaries.
    return data.items as unknown as (ExecutionResult | null)[];
  }

  /** One page of the key's executions, newest first, as summaries (no output); pass `nextCursor` on for the next. */
  async historyPage({ signal, ...query }: HistoryQuery = {}): Promise<HistoryPage> {
    const { data } = await call(this.baseUrl, this.http.GET('/v1/executions', { params: { query }, signal }));
    return { items: data.items, nextCursor: data.nextCursor ?? null };
  }

  /**
   * Every execution of the key the service still keeps, newest first, as
   * summaries, fetching page after page (of `limit`) as the iteration goes.
   */
  async *history(query: HistoryQuery = {}): AsyncGenerator<ExecutionSummary> {
    let cursor = query.cursor;
    do {
      const page = await this.historyPage({ ...query, cursor });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Resolves once the execution is final, long-polling the service. */
  async wait(id: string, { signal }: CallOptions = {}): Promise<ExecutionResult> {
    return untilFinal(
      async () =>
        (
          await call(
            this.baseUrl,
            this.http.GET('/v1/executions/{id}', { params: { path: { id }, query: { wait: 'true' } }, signal }),
          )
        ).data,
      signal,
    );
  }

  /**
   * The execution's events as they happen: `status` (queued, running),
   * `stdout` and `stderr` chunks, and last the `result`, after which the
   * iteration ends. The events so far come first, so nothing is missed by
   * starting late. A connection that drops before the result is opened again
   * after the last event seen, with nothing lost or repeated. NotFound for an
   * unknown, expired or another key's id.
   *
   * ```ts
   * for await (const event of sps.stream(id)) {
   *   if (event.type === 'stdout') process.stdout.write(event.text);
   *   if (event.type === 'result') console.log(event.result.status);
   * }
   * ```
   */
  stream(id: string, { lastEventId, signal }: StreamOptions = {}): AsyncGenerator<ExecutionEvent> {
    return readExecutionEvents((resumeFrom) => this.openEvents(id, resumeFrom, signal), {
      lastEventId,
      signal,
      what: `the events of execution ${id}`,
    });
  }

  /**
   * Cancels a queued or running execution: it ends as `cancelled`, and that
   * result is returned. One already final is deleted instead, with its output
   * and files, and the answer is null. Conflict when it finished while being cancelled.
   */
  async cancel(id: string, { signal }: CallOptions = {}): Promise<ExecutionResult | null> {
    const { data, response } = await call(
      this.baseUrl,
      this.http.DELETE('/v1/executions/{id}', { params: { path: { id } }, signal }),
    );
    return response.status === 204 ? null : data;
  }

  /**
   * Starts a session, one Python interpreter that keeps its state between
   * cells, and resolves once it is ready. QuotaExceeded when the key has as
   * many sessions open as it may. Close it when done: it holds a container
   * until then, or until its idle timeout or lifetime runs out.
   */
  async createSession({ signal, ...request }: CreateSessionOptions = {}): Promise<Session> {
    const { data } = await call(this.baseUrl, this.http.POST('/v1/sessions', { body: request, signal }));
    return new Session(this.http, this.baseUrl, data);
  }

  /** A handle on an open session of this key, by id. SessionGone when it has ended, NotFound when it is not this key's. */
  async session(id: string, { signal }: CallOptions = {}): Promise<Session> {
    const { data } = await call(this.baseUrl, this.http.GET('/v1/sessions/{id}', { params: { path: { id } }, signal }));
    return new Session(this.http, this.baseUrl, data);
  }

  /** The key's sessions, newest first: those open, and those ended within the service's retention time. */
  async listSessions({ signal }: CallOptions = {}): Promise<SessionInfo[]> {
    return (await call(this.baseUrl, this.http.GET('/v1/sessions', { signal }))).data;
  }

  private openEvents(id: string, lastEventId: string | undefined, signal: AbortSignal | undefined) {
    return streamOf(
      this.baseUrl,
      this.http.GET('/v1/executions/{id}/events', {
        params: { path: { id } },
        headers: eventStreamHeaders(lastEventId),
        parseAs: 'stream',
        signal,
      }),
      `the events of execution ${id}`,
    );
  }

  /** A run whose output is handed on as it comes: submitted asking for the event stream as the answer. */
  private async runLive(
    code: string,
    request: Omit<ExecutionRequest, 'code'>,
    { signal, idempotencyKey, onStdout, onStderr }: IdempotencyOptions & CallOptions & OutputCallbacks,
  ): Promise<ExecutionResult> {
    const { data: body, response } = await call(
      this.baseUrl,
      this.http.POST('/v1/executions', {
        params: { header: idempotencyHeader(idempotencyKey) },
        headers: { accept: 'text/event-stream' },
        body: { ...request, code },
        parseAs: 'stream',
        signal,
      }),
    );
    if (!body) throw new Error('the submission came without a body');
    if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
      // A service without execution events answers as to a submit: the output comes with the result.
      const answer = (await new Response(body).json()) as ExecutionResult | Submission;
      const result = isFinal(answer) ? answer : await this.wait(answer.id, { signal });
      if (result.stdout) onStdout?.(result.stdout);
      if (result.stderr) onStderr?.(result.stderr);
      return result;
    }
    const id = response.headers.get('x-execution-id');
    let answered: ReadableStream<Uint8Array> | undefined = body;
    const open = (lastEventId: string | undefined) => {
      const first = answered;
      answered = undefined;
      if (first) return Promise.resolve(first);
      if (!id) throw new Error('the event stream broke, and the service sent no X-Execution-Id to resume it with');
      return this.openEvents(id, lastEventId, signal);
    };
    for await (const event of readExecutionEvents(open, { signal, what: `the events of execution ${id}` })) {
      if (event.type === 'stdout') onStdout?.(event.text);
      else if (event.type === 'stderr') onStderr?.(event.text);
      else if (event.type === 'result') return event.result;
    }
    throw new Error(`the events of execution ${id} ended without its result`);
  }
}
