import { registerAs } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, EnvReader } from './env-reader';

export interface RedisConfig {
  url: string;
  /**
   * Redis's password: REDIS_PASSWORD, or the contents of REDIS_PASSWORD_FILE, which
   * defaults to `<DATA_DIR>/redis-password` (written by the start scripts) when that file
   * exists. null when there is none. A password in REDIS_URL itself wins over this one.
   */
  password: string | null;
  /** Namespace for every key this service writes, so several deployments can share one Redis. */
  prefix: string;
  /**
   * How long a request-path command may wait for Redis before the API answers 503.
   * Commands are never queued while Redis is away, so a refused job is never added later.
   */
  commandTimeoutMs: number;
}

/** Where the start scripts keep the password of the Redis they run. */
export const redisPasswordFile = (env = new EnvReader()): string =>
  env.string('REDIS_PASSWORD_FILE', '') || join(env.string('DATA_DIR', '.data'), 'redis-password');

const readPassword = (env: EnvReader): string | null => {
  const direct = env.string('REDIS_PASSWORD', '');
  if (direct) return direct;
  const file = redisPasswordFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Only the default file may be missing: a Redis without a password is then the operator's choice.
    if (code === 'ENOENT' && !env.string('REDIS_PASSWORD_FILE', '')) return null;
    throw new ConfigError(`REDIS_PASSWORD_FILE: ${file} cannot be read (${code ?? String(error)})`);
  }
  // The file is written with a trailing newline; the password itself has no whitespace.
  const password = text.trim();
  if (!password) throw new ConfigError(`REDIS_PASSWORD_FILE: ${file} is empty`);
  return password;
};

export const readRedisConfig = (env = new EnvReader()): RedisConfig => ({
  url: env.string('REDIS_URL', 'redis://127.0.0.1:6379', /^rediss?:\/\//),
  password: readPassword(env),
  prefix: env.string('REDIS_PREFIX', 'sps', /^[A-Za-z0-9_-]{1,32}$/),
  commandTimeoutMs: env.int('REDIS_COMMAND_TIMEOUT_MS', 2000, { min: 50, max: 60_000 }),
});

export const redisConfig = registerAs('redis', () => readRedisConfig());
