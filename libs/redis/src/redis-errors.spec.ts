import { isRedisUnavailable, RedisUnavailableError, withRedis } from './redis-errors';

const withCode = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('isRedisUnavailable', () => {
  it.each([
    ["Stream isn't writeable and enableOfflineQueue options is false", 'a command refused while disconnected'],
    ['Command timed out', 'a command timeout'],
    ['Connection is closed.', 'a closed connection'],
    ['Reached the max retries per request limit (which is 2).', 'retries used up'],
  ])('recognises %j (%s)', (message) => {
    expect(isRedisUnavailable(new Error(message))).toBe(true);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])('recognises error code %s', (code) => {
    expect(isRedisUnavailable(withCode(code))).toBe(true);
  });

  it('does not mistake other errors for an outage', () => {
    expect(isRedisUnavailable(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(
      false,
    );
    expect(isRedisUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isRedisUnavailable('Connection is closed')).toBe(false);
  });
});

describe('withRedis', () => {
  it('turns an outage into RedisUnavailableError with a message for the caller', async () => {
    const failing = withRedis(() => Promise.reject(new Error('Command timed out')));
    await expect(failing).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(failing).rejects.toThrow('the job store (Redis) is unreachable: try again shortly');
  });

  it('passes other errors and results through untouched', async () => {
    const other = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    await expect(withRedis(() => Promise.reject(other))).rejects.toBe(other);
    await expect(withRedis(async () => 42)).resolves.toBe(42);
  });
});
