import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { CPU_COUNT, EnvReader } from './env-reader';

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
}

export const readWorkerConfig = (env = new EnvReader()): WorkerConfig => ({
  id: env.string('WORKER_ID', `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`, /^[A-Za-z0-9_.-]{1,128}$/),
  concurrency: env.int('WORKER_CONCURRENCY', CPU_COUNT, { min: 1, max: 1024 }),
  heartbeatIntervalMs: env.int('HEARTBEAT_INTERVAL_MS', 5000, { min: 100, max: 60_000 }),
  heartbeatTtlMs: env.int('HEARTBEAT_TTL_MS', 15_000, { min: 500, max: 600_000 }),
  shutdownGraceMs: env.int('WORKER_SHUTDOWN_GRACE_MS', 30_000, { min: 0, max: 3_600_000 }),
  reaperIntervalMs: env.int('REAPER_INTERVAL_MS', 60_000, { min: 100, max: 3_600_000 }),
  reaperDeadlineGraceMs: env.int('REAPER_DEADLINE_GRACE_MS', 60_000, { min: 0, max: 86_400_000 }),
});

export const workerConfig = registerAs('worker', () => readWorkerConfig());
