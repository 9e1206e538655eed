import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';
import { LimitDefinition, readDefaultsAndMaxima } from './sandbox-limits';

/** How long a session may stay: what a request may ask for, in seconds. */
export interface SessionTimes {
  /** Closed after this long without a cell running or waiting. */
  idleTimeoutSeconds: number;
  /** Closed this long after it was created, whatever it is doing. */
  maxLifetimeSeconds: number;
}

/** Each session time's bounds, default and maximum, in the one place the settings, the API's validation and its documentation read them from. */
export const SESSION_TIMES: Readonly<Record<keyof SessionTimes, LimitDefinition>> = {
  idleTimeoutSeconds: {
    variable: 'IDLE_TIMEOUT_SECONDS',
    integer: true,
    min: 1,
    ceiling: 7 * 24 * 3600,
    default: 600,
    max: 3600,
    description: 'Seconds without a cell running or waiting after which the session is closed.',
  },
  maxLifetimeSeconds: {
    variable: 'LIFETIME_SECONDS',
    integer: true,
    min: 1,
    // Timers hold at most about 24.8 days; a week is more than any session needs.
    ceiling: 7 * 24 * 3600,
    default: 3600,
    max: 24 * 3600,
    description: 'Seconds after its creation at which the session is closed, busy or not.',
  },
};

export interface SessionConfig {
  /** SESSION_DEFAULT_* and SESSION_MAX_*. */
  defaults: SessionTimes;
  max: SessionTimes;
  /** Cells queued or running in one session past which a submission gets 429. */
  maxQueuedCells: number;
  /** Sessions one worker holds at most; creating one when every live worker is full gets 503. */
  perWorker: number;
  /** How long creating a session may take: starting its container, or building its environment's image on the worker. */
  startTimeoutMs: number;
  /** How long a file operation may take before the API gives up on it. */
  fileTimeoutMs: number;
  /** Files a listing returns at most. */
  maxListedFiles: number;
}

export const readSessionConfig = (env = new EnvReader()): SessionConfig => {
  const { defaults, max } = readDefaultsAndMaxima<keyof SessionTimes>(env, 'SESSION', SESSION_TIMES);
  return {
    defaults,
    max,
    maxQueuedCells: env.int('SESSION_MAX_QUEUED_CELLS', 16, { min: 1, max: 10_000 }),
    perWorker: env.int('SESSIONS_PER_WORKER', 16, { min: 0, max: 10_000 }),
    startTimeoutMs: env.int('SESSION_START_TIMEOUT_MS', 120_000, { min: 1000, max: 3_600_000 }),
    fileTimeoutMs: env.int('SESSION_FILE_TIMEOUT_MS', 30_000, { min: 100, max: 600_000 }),
    maxListedFiles: env.int('SESSION_MAX_LISTED_FILES', 1000, { min: 1, max: 100_000 }),
  };
};

export const sessionConfig = registerAs('sessions', () => readSessionConfig());
