import { redisClient } from './redis-client';

/**
 * Deletes every key under each prefix (`<prefix>:*`), to leave the shared Redis
 * as a test found it. A Redis that is gone already (a test's private one) is
 * no error: there is nothing left to clean.
 */
export const deleteKeysUnder = async (redisUrl: string, ...prefixes: string[]): Promise<void> => {
  const redis = redisClient(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    for (const prefix of prefixes) {
      for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
        if ((keys as string[]).length) await redis.del(...(keys as string[]));
      }
    }
  } catch {
    // a private Redis may be gone already
  } finally {
    redis.disconnect();
  }
};
