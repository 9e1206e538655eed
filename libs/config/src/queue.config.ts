import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export interface QueueConfig {
  /** Tries for a job whose failure was the service's fault (Docker, Redis), not the user's. */
  attempts: number;
  backoffMs: number;
  /** Finished results are kept this long, and at most this many. */
  resultTtlSeconds: number;
  resultMaxCount: number;
}

export const readQueueConfig = (env = new EnvReader()): QueueConfig => ({
  attempts: env.int('JOB_ATTEMPTS', 3, { min: 1, max: 20 }),
  backoffMs: env.int('JOB_BACKOFF_MS', 1000, { min: 0, max: 600_000 }),
  resultTtlSeconds: env.int('RESULT_TTL_SECONDS', 3600, { min: 10, max: 30 * 24 * 3600 }),
  resultMaxCount: env.int('RESULT_MAX_COUNT', 10_000, { min: 10, max: 10_000_000 }),
});

export const queueConfig = registerAs('queue', () => readQueueConfig());
