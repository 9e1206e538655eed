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
}

export const readWorkerConfig = (env = new EnvReader()): WorkerConfig => ({
  id: env.string('WORKER_ID', `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`, /^[A-Za-z0-9_.-]{1,128}$/),
  concurrency: env.int('WORKER_CONCURRENCY', CPU_COUNT, { min: 1, max: 1024 }),
  heartbeatIntervalMs: env.int('HEARTBEAT_INTERVAL_MS', 5000, { min: 100, max: 60_000 }),
  heartbeatTtlMs: env.int('HEARTBEAT_TTL_MS', 15_000, { min: 500, max: 600_000 }),
});

export const workerConfig = registerAs('worker', () => readWorkerConfig());
