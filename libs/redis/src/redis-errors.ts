/** Redis could not be reached in time; nothing was changed on its behalf later. */
export class RedisUnavailableError extends Error {
  constructor() {
    super('the job store (Redis) is unreachable: try again shortly');
  }
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE']);
const UNAVAILABLE_MESSAGES = [
  /enableOfflineQueue/i, // a command refused while the connection is down
  /Command timed out/i,
  /Connection is closed/i,
  /max retries per request/i,
  /Stream isn't writeable/i,
];

/** Whether an error from ioredis or BullMQ means Redis is away, as opposed to a bug. */
export const isRedisUnavailable = (error: unknown): boolean => {
  if (error instanceof RedisUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  return (
    error.name === 'MaxRetriesPerRequestError' || UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message))
  );
};

/** Runs a Redis operation, turning "Redis is away" into RedisUnavailableError and passing anything else through. */
export const withRedis = async <T>(operation: () => Promise<T>): Promise<T> => {
  try {
    return await operation();
  } catch (error) {
    throw isRedisUnavailable(error) ? new RedisUnavailableError() : error;
  }
};
