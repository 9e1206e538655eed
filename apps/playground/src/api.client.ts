/** A refusal from the API, or no answer at all (status 0), with the server's own words when it gave any. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The server's JSON error body, when it sent one (a 410 for a session says its status and why). */
    readonly body?: unknown,
  ) {
    super(message);
  }

  /** A line for a person: what happened, and what to do about a refused key. */
  describe(): string {
    switch (this.status) {
      case 0:
        return `The API could not be reached: ${this.message}`;
      case 401:
        return `The API key was refused: ${this.message}`;
      case 403:
        return `This API key may not do that: ${this.message}`;
      case 410:
        return `The session has ended: ${this.message}`;
      case 429:
        return `Too many requests: ${this.message}`;
      case 503:
        return `The service is not available: ${this.message}`;
      default:
        return this.status >= 400 && this.status < 500
          ? `The request was refused: ${this.message}`
          : `The API answered ${this.status}: ${this.message}`;
    }
  }
}

/** The server's error body: { statusCode, message: string | string[], error }. */
const messageOf = (body: unknown, fallback: string): string => {
  const message = (body as { message?: unknown } | null)?.message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : fallback;
};

/** How a request is sent: the body as JSON, and what the page accepts back. */
export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  keepalive?: boolean;
  /** Extra headers, such as Accept for an event stream or Last-Event-ID to resume one. */
  headers?: Record<string, string>;
}

/** Requests to this same origin, with the API key (when there is one) as a Bearer token. */
export class ApiClient {
  constructor(private readonly key: () => string | null) {}

  /** The response, once the API has accepted the request; a refusal throws an ApiError with the server's message. */
  async send(
    method: string,
    path: string,
    { body, signal, keepalive = false, headers = {} }: RequestOptions = {},
  ): Promise<Response> {
    const sent: Record<string, string> = { accept: 'application/json', ...headers };
    const key = this.key();
    if (key) sent.authorization = `Bearer ${key}`;
    if (body !== undefined) sent['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: sent,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        keepalive,
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiError(0, (error as Error).message);
    }
    if (!response.ok) {
      const parsed = await readJson(response).catch(() => undefined);
      throw new ApiError(response.status, messageOf(parsed, response.statusText || 'no message'), parsed);
    }
    return response;
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    options: Omit<RequestOptions, 'body'> = {},
  ): Promise<{ status: number; body: T }> {
    const response = await this.send(method, path, { ...options, body });
    try {
      return { status: response.status, body: (await readJson(response)) as T };
    } catch (error) {
      throw new ApiError(0, (error as Error).message);
    }
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, { signal }).then((r) => r.body);
  }
}

/** The body as JSON; undefined when it is empty or not JSON (an error page from a proxy, say). */
const readJson = async (response: Response): Promise<unknown> => {
  const text = await response.text();
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
};
