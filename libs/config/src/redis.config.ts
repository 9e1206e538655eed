import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export interface RedisConfig {
  url: string;
  /** Namespace for every key this service writes, so several deployments can share one Redis. */
  prefix: string;
  /**
   * How long a request-path command may wait for Redis before the API answers 503.
   * Commands are never queued while Redis is away, so a refused job is never added later.
   */
  commandTimeoutMs: number;
}

export const readRedisConfig = (env = new EnvReader()): RedisConfig => ({
  url: env.string('REDIS_URL', 'redis://127.0.0.1:6379', /^rediss?:\/\//),
  prefix: env.string('REDIS_PREFIX', 'sps', /^[A-Za-z0-9_-]{1,32}$/),
  commandTimeoutMs: env.int('REDIS_COMMAND_TIMEOUT_MS', 2000, { min: 50, max: 60_000 }),
});

export const redisConfig = registerAs('redis', () => readRedisConfig());
