// A relative import: the global setup uses this too, and Jest maps no @sps/ paths there.
import { readRedisConfig, type RedisConfig } from '../../libs/config/src/redis.config';
import Redis, { type RedisOptions } from 'ioredis';

/**
 * The tests' Redis settings, read by the same code the apps use: REDIS_URL, and the
 * password from REDIS_PASSWORD or REDIS_PASSWORD_FILE (by default the one the start
 * scripts wrote under .data). The stacks the tests start inherit the same settings.
 */
export const e2eRedisConfig = (prefix = process.env.E2E_REDIS_PREFIX ?? 'e2e'): RedisConfig => ({
  ...readRedisConfig(),
  url: process.env.E2E_REDIS_URL ?? readRedisConfig().url,
  prefix,
});

/** A client with that password; a URL that carries its own (a test's private Redis) uses that instead. */
export const redisClient = (url = e2eRedisConfig().url, options: RedisOptions = {}): Redis =>
  new Redis(url, { password: readRedisConfig().password ?? undefined, ...options });

/** BullMQ connection options for the same Redis, with the same password rule. */
export const bullConnection = (url = e2eRedisConfig().url): { url: string; password?: string } => ({
  url,
  password: readRedisConfig().password ?? undefined,
});
