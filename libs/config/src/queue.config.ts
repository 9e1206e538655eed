import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export interface QueueConfig {
  /** Tries for a job whose failure was the service's fault (Docker, Redis), not the user's. */
  attempts: number;
  backoffMs: number;
  /** Finished results, and everything else of an execution, are kept this long. */
  resultTtlSeconds: number;
  /**
   * How long a worker's hold on a running job lasts without renewal. A worker that
   * dies stops renewing, and after this its job counts as stalled.
   */
  lockDurationMs: number;
  /** How often workers look for stalled jobs. */
  stalledIntervalMs: number;
  /** How many times a stalled job is put back to run again before it ends as "worker lost". */
  maxStalledCount: number;
  /** Submissions are refused with 429 once this many jobs wait to run. */
  maxQueuedJobs: number;
  /** The Retry-After given with that 429. */
  queueFullRetryAfterSeconds: number;
}

export const readQueueConfig = (env = new EnvReader()): QueueConfig => ({
  attempts: env.int('JOB_ATTEMPTS', 3, { min: 1, max: 20 }),
  backoffMs: env.int('JOB_BACKOFF_MS', 1000, { min: 0, max: 600_000 }),
  resultTtlSeconds: env.int('RESULT_TTL_SECONDS', 3600, { min: 10, max: 30 * 24 * 3600 }),
  lockDurationMs: env.int('JOB_LOCK_DURATION_MS', 30_000, { min: 500, max: 600_000 }),
  stalledIntervalMs: env.int('JOB_STALLED_INTERVAL_MS', 30_000, { min: 100, max: 600_000 }),
  maxStalledCount: env.int('JOB_MAX_STALLED_COUNT', 1, { min: 0, max: 100 }),
  maxQueuedJobs: env.int('MAX_QUEUED_JOBS', 10_000, { min: 1, max: 10_000_000 }),
  queueFullRetryAfterSeconds: env.int('QUEUE_FULL_RETRY_AFTER_SECONDS', 5, { min: 1, max: 3600 }),
});

export const queueConfig = registerAs('queue', () => readQueueConfig());
