import { ConfigError, CPU_COUNT, EnvReader } from './env-reader';

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

/**
 * <prefix>_DEFAULT_* and <prefix>_MAX_* for every limit of `table`, each within
 * the bounds its definition gives it, and no default above its maximum.
 */
export const readDefaultsAndMaxima = <K extends string>(
  env: EnvReader,
  prefix: string,
  table: Readonly<Record<K, LimitDefinition>>,
): { defaults: Record<K, number>; max: Record<K, number> } => {
  const names = Object.keys(table) as K[];
  const read = (kind: 'DEFAULT' | 'MAX', name: K): number => {
    const limit = table[name];
    const variable = `${prefix}_${kind}_${limit.variable}`;
    const fallback = kind === 'DEFAULT' ? limit.default : limit.max;
    const range = { min: limit.min, max: limit.ceiling };
    return limit.integer ? env.int(variable, fallback, range) : env.number(variable, fallback, range);
  };
  const defaults = Object.fromEntries(names.map((name) => [name, read('DEFAULT', name)])) as Record<K, number>;
  const max = Object.fromEntries(names.map((name) => [name, read('MAX', name)])) as Record<K, number>;
  for (const name of names) {
    const { variable } = table[name];
    if (defaults[name] > max[name]) {
      throw new ConfigError(
        `${prefix}_DEFAULT_${variable} (${defaults[name]}) is above ${prefix}_MAX_${variable} (${max[name]})`,
      );
    }
  }
  return { defaults, max };
};
