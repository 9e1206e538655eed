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
export type RunOptions = Omit<ExecutionRequest, 'code'> & IdempotencyOptions & CallOptions;

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
  async run(code: string, { signal, idempotencyKey, ...request }: RunOptions = {}): Promise<ExecutionResult> {
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

  /** Queues the code and resolves at once with its id; follow it with get, wait or cancel. */
  async submit(code: string, { signal, idempotencyKey, ...request }: RunOptions = {}): Promise<Submission> {
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
}
