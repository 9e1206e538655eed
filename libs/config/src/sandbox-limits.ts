import { CPU_COUNT } from './env-reader';

const MiB = 1024 * 1024;

export interface SandboxLimits {
  timeoutMs: number;
  memoryMb: number;
  cpus: number;
  pids: number;
  outputBytes: number;
}

/** Everything about one limit, in the one place the settings, the API's validation and its documentation read it from. */
export interface LimitDefinition {
  /** The server's default and maximum are set by SANDBOX_DEFAULT_<variable> and SANDBOX_MAX_<variable>. */
  variable: string;
  integer: boolean;
  /** The lowest value a job may ask for, and a setting may have. */
  min: number;
  /** The highest value a setting may have. */
  ceiling: number;
  /** What a job gets when it asks for nothing, unless SANDBOX_DEFAULT_<variable> says otherwise. */
  default: number;
  /** The most a job may ask for, unless SANDBOX_MAX_<variable> says otherwise. */
  max: number;
  /** Said of the field in the API documentation. */
  description?: string;
}

export const SANDBOX_LIMITS: Readonly<Record<keyof SandboxLimits, LimitDefinition>> = {
  timeoutMs: {
    variable: 'TIMEOUT_MS',
    integer: true,
    min: 1,
    ceiling: 3_600_000,
    default: 10_000,
    max: 60_000,
    description: 'Wall-clock limit in milliseconds.',
  },
  // Below 32 MB the interpreter itself does not fit.
  memoryMb: { variable: 'MEMORY_MB', integer: true, min: 32, ceiling: 1024 * 1024, default: 256, max: 2048 },
  // The default maximum is what this host has; a worker refuses a job that asks for more than its own host has.
  cpus: { variable: 'CPUS', integer: false, min: 0.01, ceiling: 1024, default: 1, max: CPU_COUNT },
  pids: { variable: 'PIDS', integer: true, min: 8, ceiling: 100_000, default: 64, max: 512 },
  outputBytes: {
    variable: 'OUTPUT_BYTES',
    integer: true,
    min: 1,
    ceiling: 256 * MiB,
    default: MiB,
    max: 8 * MiB,
    description: 'Cap on stdout and on stderr, each.',
  },
};

export const LIMIT_NAMES = Object.keys(SANDBOX_LIMITS) as (keyof SandboxLimits)[];
