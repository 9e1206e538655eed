import {
  Conflict,
  errorFromResponse,
  Forbidden,
  NotFound,
  parseRetryAfter,
  QuotaExceeded,
  SandboxError,
  ServiceUnavailable,
  SessionGone,
  Unauthorized,
  Unreachable,
  ValidationFailed,
} from './client.errors';

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  errorFromResponse(new Response(JSON.stringify(body), { status, headers }), body);

describe('client errors', () => {
  it.each([
    [401, Unauthorized],
    [403, Forbidden],
    [404, NotFound],
    [409, Conflict],
  ])("maps %i to its class, with the service's message", (status, type) => {
    const error = answer(status, { statusCode: status, message: `refused with ${status}` });
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(SandboxError);
    expect(error.status).toBe(status);
    expect(error.message).toBe(`refused with ${status}`);
  });

  it('maps a 410 to SessionGone, with how and why the session ended', () => {
    const error = answer(410, {
      statusCode: 410,
      message: 'session 4b0c is dead: the interpreter ran out of memory',
      error: 'Gone',
      status: 'dead',
      reason: 'the interpreter ran out of memory',
    });
    expect(error).toBeInstanceOf(SessionGone);
    expect(error.status).toBe(410);
    expect(error).toMatchObject({ sessionStatus: 'dead', reason: 'the interpreter ran out of memory' });
    // A 410 from something in between says neither: the session is gone all the same.
    const bare = errorFromResponse(new Response('gone', { status: 410 }), 'gone');
    expect(bare).toMatchObject({ sessionStatus: 'closed', reason: 'gone' });
  });

  it('keeps every field message of a 400', () => {
    const messages = ['code must be a string', 'limits.memoryMb must not be greater than 2048'];
    const error = answer(400, { statusCode: 400, message: messages, error: 'Bad Request' });
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).messages).toEqual(messages);
    expect(error.message).toContain(messages[1]);
  });

  it('reads Retry-After of a 429 and a 503, in seconds or as a date', () => {
    const quota = answer(429, { message: 'slow down' }, { 'retry-after': '7' });
    expect(quota).toBeInstanceOf(QuotaExceeded);
    expect((quota as QuotaExceeded).retryAfter).toBe(7);
    const unavailable = answer(
      503,
      { message: 'redis away' },
      { 'retry-after': new Date(Date.now() + 10_000).toUTCString() },
    );
    expect(unavailable).toBeInstanceOf(ServiceUnavailable);
    expect((unavailable as ServiceUnavailable).retryAfter).toBeGreaterThanOrEqual(9);
    expect((unavailable as ServiceUnavailable).retryAfter).toBeLessThanOrEqual(10);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('falls back to the base class, and to the text of a body that is not JSON', () => {
    const error = errorFromResponse(new Response('bad gateway', { status: 502 }), 'bad gateway');
    expect(error.constructor).toBe(SandboxError);
    expect(error.message).toBe('bad gateway');
  });

  it('says why a service could not be reached', () => {
    const cause = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    const error = new Unreachable('http://127.0.0.1:9', cause);
    expect(error.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
    expect(error.status).toBeUndefined();
  });
});
