import { registerAs } from '@nestjs/config';
import { readAuthEnabled } from './auth.config';
import { EnvReader } from './env-reader';

const MiB = 1024 * 1024;
/** The most MAX_BATCH may be set to. */
export const MAX_BATCH_CEILING = 1000;

export interface ApiConfig {
  port: number;
  /** HOST; by default every interface, but only loopback while authentication is off (AUTH=off). */
  host: string;
  /** How long `?wait=true` holds a request before answering 202 instead. */
  waitCapMs: number;
  maxCodeBytes: number;
  maxStdinBytes: number;
  maxInputFiles: number;
  maxInputFileBytes: number;
  maxArgs: number;
  maxArgBytes: number;
  /** Body limit of every route that does not declare a larger one (executions do). */
  defaultBodyLimitBytes: number;
  /** Request-body bytes this process reads at once, over all callers; past it, requests with a body get 503. */
  maxBodyBytesInFlight: number;
  /** Server-Sent Event streams one key may hold open on this process at once. */
  maxEventStreamsPerKey: number;
  /** Executions one batch may hold (MAX_BATCH); also the most ids one multi-get may name. */
  maxBatch: number;
  /** Body limit of the batch route. */
  batchBodyLimitBytes: number;
  /** Executions each key's history keeps at most, newest first. */
  maxHistoryEntries: number;
  /** Server-Sent Event streams this process holds open at once, over all keys; past it, 503. */
  maxEventStreams: number;
  /** Serves the Bull Board dashboard at /admin/queues, for admin keys only (RequestAuthenticator guards /admin/). */
  queueDashboard: boolean;
}

export const readApiConfig = (env = new EnvReader()): ApiConfig => ({
  port: env.int('PORT', 3000, { min: 0, max: 65535 }),
  // With AUTH=off anyone who reaches the port is an admin: reachable from this machine only, unless HOST says otherwise.
  host: env.string('HOST', readAuthEnabled(env) ? '0.0.0.0' : '127.0.0.1'),
  waitCapMs: env.int('WAIT_CAP_MS', 30_000, { min: 100, max: 600_000 }),
  maxCodeBytes: env.int('MAX_CODE_BYTES', 1 * MiB, { min: 1024, max: 64 * MiB }),
  maxStdinBytes: env.int('MAX_STDIN_BYTES', 1 * MiB, { min: 0, max: 64 * MiB }),
  maxInputFiles: env.int('MAX_INPUT_FILES', 100, { min: 0, max: 10_000 }),
  maxInputFileBytes: env.int('MAX_INPUT_FILES_BYTES', 10 * MiB, { min: 0, max: 256 * MiB }),
  maxArgs: env.int('MAX_ARGS', 256, { min: 0, max: 4096 }),
  maxArgBytes: env.int('MAX_ARG_BYTES', 4096, { min: 1, max: 128 * 1024 }),
  defaultBodyLimitBytes: env.int('API_BODY_LIMIT_BYTES', 128 * 1024, { min: 1024, max: 64 * MiB }),
  maxBodyBytesInFlight: env.int('API_MAX_BODY_BYTES_IN_FLIGHT', 128 * MiB, { min: 64 * 1024, max: 16 * 1024 * MiB }),
  maxEventStreamsPerKey: env.int('API_MAX_EVENT_STREAMS_PER_KEY', 10, { min: 1, max: 100_000 }),
  maxBatch: env.int('MAX_BATCH', 100, { min: 1, max: MAX_BATCH_CEILING }),
  batchBodyLimitBytes: env.int('API_BATCH_BODY_LIMIT_BYTES', 16 * MiB, { min: 64 * 1024, max: 256 * MiB }),
  maxHistoryEntries: env.int('HISTORY_MAX_ENTRIES', 10_000, { min: 10, max: 1_000_000 }),
  maxEventStreams: env.int('API_MAX_EVENT_STREAMS', 1000, { min: 1, max: 1_000_000 }),
  queueDashboard: env.bool('QUEUE_DASHBOARD', false),
});

export const apiConfig = registerAs('api', () => readApiConfig());
