import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export interface RedisConfig {
  url: string;
  /** Namespace for every key this service writes, so several deployments can share one Redis. */
  prefix: string;
}

export const readRedisConfig = (env = new EnvReader()): RedisConfig => ({
  url: env.string('REDIS_URL', 'redis://127.0.0.1:6379', /^rediss?:\/\//),
  prefix: env.string('REDIS_PREFIX', 'sps', /^[A-Za-z0-9_-]{1,32}$/),
});

export const redisConfig = registerAs('redis', () => readRedisConfig());
