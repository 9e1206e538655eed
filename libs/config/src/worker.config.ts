import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError, CPU_COUNT, EnvReader } from './env-reader';

export interface WorkerConfig {
  id: string;
  concurrency: number;
  heartbeatIntervalMs: number;
  /** A worker whose last heartbeat is older than this counts as gone. */
  heartbeatTtlMs: number;
  /** On SIGTERM, how long running jobs may go on before their containers are killed and they go back to the queue. */
  shutdownGraceMs: number;
  /** How often the reaper looks for sandbox containers nobody owns any more. */
  reaperIntervalMs: number;
  /** A container whose deadline label is this far in the past is removed whoever owns it. */
  reaperDeadlineGraceMs: number;
  pool: WarmPoolConfig;
}

export interface WarmPoolConfig {
  /** Pre-started containers to keep per environment at least; an environment not listed gets none. */
  sizes: Record<string, number>;
  /** How far a listed environment's pool may grow while jobs take containers faster than they are replaced. */
  maxSize: number;
  /** How many containers are started at once while the pool is short. */
  refillConcurrency: number;
  /** A pool that grew goes back by one container each time it had no job for this long. */
  shrinkAfterMs: number;
  /** A pre-started container older than this is replaced, so none goes stale. */
  maxIdleMs: number;
  /** Pause before a refill starts after a container was taken: the job it serves gets the engine first. */
  refillIntervalMs: number;
  /** How long a new container may take to report ready before it is discarded. */
  readyTimeoutMs: number;
}

/** "default=2,datascience=1" -> { default: 2, datascience: 1 }. */
export const parsePoolSizes = (name: string, raw: string): Record<string, number> => {
  const sizes: Record<string, number> = {};
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const match = /^([a-z0-9][a-z0-9-]{0,62})=(\d{1,4})$/.exec(entry);
    if (!match) throw new ConfigError(`${name} entries must look like "default=2", got ${JSON.stringify(entry)}`);
    sizes[match[1]] = Number(match[2]);
  }
  return sizes;
};

export const readWorkerConfig = (env = new EnvReader()): WorkerConfig => ({
  id: env.string(
    'WORKER_ID',
    `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    /^[A-Za-z0-9_.-]{1,128}$/,
  ),
  concurrency: env.int('WORKER_CONCURRENCY', CPU_COUNT, { min: 1, max: 1024 }),
  heartbeatIntervalMs: env.int('HEARTBEAT_INTERVAL_MS', 5000, { min: 100, max: 60_000 }),
  heartbeatTtlMs: env.int('HEARTBEAT_TTL_MS', 15_000, { min: 500, max: 600_000 }),
  shutdownGraceMs: env.int('WORKER_SHUTDOWN_GRACE_MS', 30_000, { min: 0, max: 3_600_000 }),
  reaperIntervalMs: env.int('REAPER_INTERVAL_MS', 60_000, { min: 100, max: 3_600_000 }),
  reaperDeadlineGraceMs: env.int('REAPER_DEADLINE_GRACE_MS', 60_000, { min: 0, max: 86_400_000 }),
  pool: {
    sizes: parsePoolSizes('POOL_SIZES', env.string('POOL_SIZES', 'default=2')),
    maxIdleMs: env.int('POOL_MAX_IDLE_MS', 300_000, { min: 1000, max: 86_400_000 }),
    maxSize: env.int('POOL_MAX_SIZE', 8, { min: 0, max: 1000 }),
    refillConcurrency: env.int('POOL_REFILL_CONCURRENCY', 2, { min: 1, max: 64 }),
    shrinkAfterMs: env.int('POOL_SHRINK_AFTER_MS', 60_000, { min: 100, max: 86_400_000 }),
    refillIntervalMs: env.int('POOL_REFILL_INTERVAL_MS', 50, { min: 0, max: 60_000 }),
    readyTimeoutMs: env.int('POOL_READY_TIMEOUT_MS', 15_000, { min: 500, max: 600_000 }),
  },
});

export const workerConfig = registerAs('worker', () => readWorkerConfig());
