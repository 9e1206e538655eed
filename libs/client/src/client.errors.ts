/** The body of every 4xx and 5xx answer of the service: `message` names the field or says what to do. */
export interface ErrorBody {
  statusCode?: number;
  message?: string | string[];
  error?: string;
}

/**
 * Every failure of a call: an error answer of the service (`status` is its
 * HTTP status) or no answer at all (`Unreachable`, no status). Subclasses say
 * which, so callers can `catch (e) { if (e instanceof QuotaExceeded) ... }`.
 */
export class SandboxError extends Error {
  override name = 'SandboxError';

  constructor(
    message: string,
    /** The HTTP status; undefined when the service could not be reached. */
    readonly status: number | undefined,
    /** The answer's body as sent: usually an ErrorBody. */
    readonly body?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 400: the request was refused; `messages` has one entry per problem, each starting with the field's path. */
export class ValidationFailed extends SandboxError {
  override name = 'ValidationFailed';

  constructor(
    readonly messages: string[],
    body: unknown,
  ) {
    super(`validation failed: ${messages.join('; ')}`, 400, body);
  }
}

/** 401: no API key, or one the service does not know (revoked, mistyped). */
export class Unauthorized extends SandboxError {
  override name = 'Unauthorized';
}

/** 403: the key is valid but may not do this (an admin-only route with a user key). */
export class Forbidden extends SandboxError {
  override name = 'Forbidden';
}

/** 404: unknown, expired, or another key's: the service answers all three alike. */
export class NotFound extends SandboxError {
  override name = 'NotFound';
}

/** 409: the state does not allow it (cancelling a finished execution, deleting `default`, a session file path that is a link, a twin request with the same Idempotency-Key still being submitted). */
export class Conflict extends SandboxError {
  override name = 'Conflict';
}

/**
 * 422: the Idempotency-Key was used before (by this API key, within 24 h) with
 * another request body. Nothing was submitted; use a new key for a new request.
 */
export class IdempotencyConflict extends SandboxError {
  override name = 'IdempotencyConflict';
}

/** The statuses of a session that has ended: closed (deleted, expired, its worker shut down), dead (its interpreter died), lost (its worker vanished). */
export type EndedSessionStatus = 'closed' | 'dead' | 'lost';

const ENDED_STATUSES: readonly string[] = ['closed', 'dead', 'lost'] satisfies EndedSessionStatus[];

/**
 * 410: the session has ended, and nothing more can be done with it (its cells'
 * results stay readable). `sessionStatus` says how it ended and `reason` why,
 * e.g. dead, "the interpreter ran out of memory (oom) in execution 9f…".
 * (`status` is the HTTP status, 410, as on every SandboxError.)
 */
export class SessionGone extends SandboxError {
  override name = 'SessionGone';
  readonly sessionStatus: EndedSessionStatus;
  readonly reason: string;

  constructor(message: string, body: unknown) {
    super(message, 410, body);
    const { status, reason } = (body ?? {}) as { status?: unknown; reason?: unknown };
    // A proxy's own 410 carries neither: the session is gone all the same.
    this.sessionStatus =
      typeof status === 'string' && ENDED_STATUSES.includes(status) ? (status as EndedSessionStatus) : 'closed';
    this.reason = typeof reason === 'string' ? reason : message;
  }
}

/** 429: over the key's request rate, its executions in flight, its open sessions, a session's queue of cells, or a full queue; retry after `retryAfter` seconds. */
export class QuotaExceeded extends SandboxError {
  override name = 'QuotaExceeded';

  constructor(
    message: string,
    body: unknown,
    /** From the Retry-After header, in seconds; undefined when the service sent none. */
    readonly retryAfter: number | undefined,
  ) {
    super(message, 429, body);
  }
}

/** 503: the service cannot take work right now (its Redis is away); retry after `retryAfter` seconds. */
export class ServiceUnavailable extends SandboxError {
  override name = 'ServiceUnavailable';

  constructor(
    message: string,
    body: unknown,
    readonly retryAfter: number | undefined,
  ) {
    super(message, 503, body);
  }
}

/** No answer: the address is wrong, the service is down, or the connection broke. */
export class Unreachable extends SandboxError {
  override name = 'Unreachable';

  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach ${url}: ${describeCause(cause)}`, undefined, undefined, { cause });
  }
}

/** Retry-After is either delay-seconds or an HTTP date. */
export const parseRetryAfter = (header: string | null, now = Date.now()): number | undefined => {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
};

const messagesOf = (body: unknown): string[] => {
  const message = (body as ErrorBody | undefined)?.message;
  if (Array.isArray(message)) return message.map(String);
  if (typeof message === 'string') return [message];
  return typeof body === 'string' && body.trim() !== '' ? [body.trim().slice(0, 500)] : [];
};

/** The typed error for an error answer. */
export const errorFromResponse = (response: Response, body: unknown): SandboxError => {
  const messages = messagesOf(body);
  const message = messages.join('; ') || `${response.status} ${response.statusText}`.trim();
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  switch (response.status) {
    case 400:
      return new ValidationFailed(messages.length ? messages : [message], body);
    case 401:
      return new Unauthorized(message, 401, body);
    case 403:
      return new Forbidden(message, 403, body);
    case 404:
      return new NotFound(message, 404, body);
    case 409:
      return new Conflict(message, 409, body);
    case 410:
      return new SessionGone(message, body);
    case 422:
      return new IdempotencyConflict(message, 422, body);
    case 429:
      return new QuotaExceeded(message, body, retryAfter);
    case 503:
      return new ServiceUnavailable(message, body, retryAfter);
    default:
      return new SandboxError(message, response.status, body);
  }
};

/** fetch's own errors say little ("fetch failed"); the cause (ECONNREFUSED, ENOTFOUND, ...) says what happened. */
const describeCause = (cause: unknown): string => {
  const inner = (cause as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (inner?.code)
    return `${inner.code}${inner.message && !inner.message.includes(inner.code) ? ` (${inner.message})` : ''}`;
  if (inner?.message) return inner.message;
  return (cause as Error | undefined)?.message ?? String(cause);
};
