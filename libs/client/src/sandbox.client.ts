import createClient, { type Client } from 'openapi-fetch';
import { call, untilFinal, type CallOptions } from './api-call';
import {
  isFinal,
  type ExecutionAccepted,
  type ExecutionRequest,
  type ExecutionResult,
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

/** Everything of a job but its code. */
export type RunOptions = Omit<ExecutionRequest, 'code'> & CallOptions;

/** Every field optional: environment, limits, idleTimeoutSeconds, maxLifetimeSeconds, files. */
export type CreateSessionOptions = SessionRequest & CallOptions;

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
  async run(code: string, { signal, ...request }: RunOptions = {}): Promise<ExecutionResult> {
    const { data, response } = await call(
      this.baseUrl,
      this.http.POST('/v1/executions', { params: { query: { wait: 'true' } }, body: { ...request, code }, signal }),
    );
    return response.status === 202 || !isFinal(data) ? this.wait(data.id, { signal }) : data;
  }

  /** Queues the code and resolves at once with its id; follow it with get, wait or cancel. */
  async submit(code: string, { signal, ...request }: RunOptions = {}): Promise<ExecutionAccepted> {
    const { data } = await call(this.baseUrl, this.http.POST('/v1/executions', { body: { ...request, code }, signal }));
    return data as ExecutionAccepted;
  }

  /** The execution as it is now. NotFound for an unknown, expired or another key's id. */
  async get(id: string, { signal }: CallOptions = {}): Promise<ExecutionResult> {
    return (await call(this.baseUrl, this.http.GET('/v1/executions/{id}', { params: { path: { id } }, signal }))).data;
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
