import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

const MiB = 1024 * 1024;

export interface ApiConfig {
  port: number;
  host: string;
  /** How long `?wait=true` holds a request before answering 202 instead. */
  waitCapMs: number;
  maxCodeBytes: number;
  maxStdinBytes: number;
  maxInputFiles: number;
  maxInputFileBytes: number;
  maxArgs: number;
  maxArgBytes: number;
  /** Serves the Bull Board dashboard at /admin/queues; off by default because it has no access control yet. */
  queueDashboard: boolean;
}

export const readApiConfig = (env = new EnvReader()): ApiConfig => ({
  port: env.int('PORT', 3000, { min: 0, max: 65535 }),
  host: env.string('HOST', '0.0.0.0'),
  waitCapMs: env.int('WAIT_CAP_MS', 30_000, { min: 100, max: 600_000 }),
  maxCodeBytes: env.int('MAX_CODE_BYTES', 1 * MiB, { min: 1024, max: 64 * MiB }),
  maxStdinBytes: env.int('MAX_STDIN_BYTES', 1 * MiB, { min: 0, max: 64 * MiB }),
  maxInputFiles: env.int('MAX_INPUT_FILES', 100, { min: 0, max: 10_000 }),
  maxInputFileBytes: env.int('MAX_INPUT_FILES_BYTES', 10 * MiB, { min: 0, max: 256 * MiB }),
  maxArgs: env.int('MAX_ARGS', 256, { min: 0, max: 4096 }),
  maxArgBytes: env.int('MAX_ARG_BYTES', 4096, { min: 1, max: 128 * 1024 }),
  queueDashboard: env.bool('QUEUE_DASHBOARD', false),
});

export const apiConfig = registerAs('api', () => readApiConfig());
