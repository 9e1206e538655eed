import { apiClient } from './api-client';
import { deleteKeysUnder } from './redis-keys';
import { freePort, ServiceStack } from './service-stack';

/** Settings that make stalls, heartbeats and sweeps happen within seconds instead of minutes. */
export const FAST_FAULT_DETECTION = {
  HEARTBEAT_INTERVAL_MS: '500',
  HEARTBEAT_TTL_MS: '2500',
  JOB_LOCK_DURATION_MS: '2000',
  JOB_STALLED_INTERVAL_MS: '1000',
  REAPER_INTERVAL_MS: '1000',
  JOB_BACKOFF_MS: '200',
  POOL_SIZES: 'default=1',
  // Held at its size, so the containers a test may find waiting are known.
  POOL_MAX_SIZE: '1',
};

/** For tests that find a job's container by its job label: pre-started containers carry none. */
export const COLD_CONTAINERS_ONLY = { POOL_SIZES: 'default=0' };

/**
 * A stack of a test's own, for faults that must not touch the shared one: its
 * own key prefix (so its worker ids and containers are its own) and, optionally,
 * its own Redis.
 */
export const privateStack = async (name: string, env: Record<string, string> = {}) => {
  const prefix = `${name}-${process.pid}`;
  const redisUrl = env.REDIS_URL ?? process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const stack = new ServiceStack(prefix, await freePort(), {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'info',
    ...env,
  });
  const client = apiClient(() => stack.baseUrl);
  const cleanUp = async (): Promise<void> => {
    await stack.stop();
    await deleteKeysUnder(redisUrl, prefix);
  };
  return { stack, prefix, redisUrl, ...client, cleanUp };
};
