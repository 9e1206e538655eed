export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export const baseUrl = (): string => {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error('E2E_BASE_URL is not set: the e2e global setup did not run');
  return url;
};

/**
 * The admin key every test stack starts with (global setup sets ADMIN_API_KEY in the
 * environment, which stacks started by tests inherit); clients send it unless told otherwise.
 */
export const adminKey = (): string => {
  const key = process.env.E2E_ADMIN_KEY;
  if (!key) throw new Error('E2E_ADMIN_KEY is not set: the e2e global setup did not run');
  return key;
};

export const FINAL = ['succeeded', 'failed', 'timeout', 'oom', 'output_limit', 'cancelled', 'error'];
export const isFinal = (result: any): boolean => FINAL.includes(result?.status);

/**
 * HTTP against one API as one API key: `key` is sent as "Authorization: Bearer
 * <key>", or no Authorization header at all when it is null. An Authorization
 * header passed to `request` wins over the key.
 */
export class ApiClient {
  constructor(
    private readonly key: () => string | null = adminKey,
    private readonly base: () => string = baseUrl,
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 120_000,
  ): Promise<HttpResponse<T>> {
    const response = await fetch(`${this.base()}${path}`, {
      method,
      headers: this.withKey(body === undefined ? { ...headers } : { 'content-type': 'application/json', ...headers }),
      body:
        body === undefined
          ? undefined
          : typeof body === 'string' || body instanceof Uint8Array
            ? (body as unknown as BodyInit)
            : JSON.stringify(body),
      // A hang is a failure too: no request may wait forever.
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** Runs code synchronously and returns the final result; fails the test on anything but 200. */
  async run(code: string, extra: Record<string, unknown> = {}): Promise<any> {
    const response = await this.request('POST', '/v1/executions?wait=true', { code, ...extra });
    if (response.status !== 200)
      throw new Error(`expected 200, got ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async submit(code: string, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await this.request('POST', '/v1/executions', { code, ...extra });
    if (response.status !== 202)
      throw new Error(`expected 202, got ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body.id;
  }

  /** Polls until `predicate` holds for the execution, or fails after `timeoutMs`. */
  async pollUntil(id: string, predicate: (result: any) => boolean, timeoutMs = 30_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    let last: any;
    while (Date.now() < deadline) {
      last = (await this.request('GET', `/v1/executions/${id}`)).body;
      if (predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`execution ${id} never matched; last seen: ${JSON.stringify(last)}`);
  }

  /**
   * Follows a Server-Sent Events stream until an event named `until` arrives
   * (kept) or the server ends the stream; fails after `timeoutMs`.
   */
  async readEvents(
    path: string,
    {
      until = 'end',
      timeoutMs = 120_000,
      headers = {},
    }: { until?: string; timeoutMs?: number; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; headers: Headers; events: ServerSentEvent[] }> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    const events: ServerSentEvent[] = [];
    try {
      const response = await fetch(`${this.base()}${path}`, {
        headers: this.withKey({ accept: 'text/event-stream', ...headers }),
        signal: abort.signal,
      });
      if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
        return { status: response.status, headers: response.headers, events };
      }
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const event = parseEvent(buffer.slice(0, boundary));
          buffer = buffer.slice(boundary + 2);
          if (!event) continue;
          events.push(event);
          // Leave the loop before aborting: cancelling an aborted body can reject with AbortError.
          if (event.event === until) break;
        }
        if (events.at(-1)?.event === until) break;
      }
      abort.abort();
      return { status: response.status, headers: response.headers, events };
    } catch (error) {
      if (abort.signal.aborted && !events.some((e) => e.event === until)) {
        throw new Error(
          `no "${until}" event from ${path} within ${timeoutMs} ms; got ${events.length} events, last: ${JSON.stringify(events.at(-1))}`,
          {
            cause: error,
          },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private withKey(headers: Record<string, string>): Record<string, string> {
    const key = this.key();
    if (key === null || Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) return headers;
    return { ...headers, authorization: `Bearer ${key}` };
  }
}

/** A client for one API (the shared stack's by default, or a test's own stack), sending the admin key. */
export const apiClient = (base: () => string, key: () => string | null = adminKey) => {
  const client = new ApiClient(key, base);
  return {
    request: <T = any>(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
      timeoutMs = 120_000,
    ) => client.request<T>(method, path, body, headers, timeoutMs),
    run: (code: string, extra: Record<string, unknown> = {}) => client.run(code, extra),
    submit: (code: string, extra: Record<string, unknown> = {}) => client.submit(code, extra),
    pollUntil: (id: string, predicate: (result: any) => boolean, timeoutMs = 30_000) =>
      client.pollUntil(id, predicate, timeoutMs),
    readEvents: (
      path: string,
      options: { until?: string; timeoutMs?: number; headers?: Record<string, string> } = {},
    ) => client.readEvents(path, options),
  };
};

/** A client that sends `key` (or nothing, for null), against the shared stack or the given base URL. */
export const asKey = (key: string | null, base?: string): ApiClient =>
  new ApiClient(() => key, base ? () => base : baseUrl);

export const { request, run, submit, pollUntil, readEvents } = apiClient(baseUrl);

/** Creates a key through POST /v1/keys as the admin (or `client`) and returns it with its id; names get a random suffix. */
export const createKey = async (
  name: string,
  options: { role?: 'admin' | 'user'; quotas?: Record<string, unknown> } = {},
  client: ApiClient = new ApiClient(),
): Promise<{ id: string; key: string }> => {
  const unique = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  const response = await client.request('POST', '/v1/keys', { name: unique, ...options });
  if (response.status !== 201)
    throw new Error(`creating key ${unique}: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.id, key: response.body.key };
};

export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

/** One event block of a stream; null for a block with no data (a comment). */
const parseEvent = (block: string): ServerSentEvent | null => {
  const event: ServerSentEvent = { event: 'message', data: '' };
  let hasData = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
    else if (field === 'data') {
      event.data = hasData ? `${event.data}\n${value}` : value;
      hasData = true;
    }
  }
  return hasData ? event : null;
};
