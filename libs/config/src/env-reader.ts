import { cpus } from 'node:os';

/** A setting that cannot be parsed stops start-up with a message naming the variable. */
export class ConfigError extends Error {}

type Source = Record<string, string | undefined>;

export class EnvReader {
  constructor(private readonly source: Source = process.env) {}

  string(name: string, fallback: string, pattern?: RegExp): string {
    const raw = this.source[name];
    const value = raw === undefined || raw === '' ? fallback : raw;
    if (pattern && !pattern.test(value)) {
      throw new ConfigError(`${name}=${JSON.stringify(value)} must match ${pattern}`);
    }
    return value;
  }

  int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.source[name];
    // Number() would take " ", "0x10" or "1e3"; a setting is written in plain digits.
    const value = raw === undefined || raw === '' ? fallback : /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(value)) throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(raw)}`);
    return this.inRange(name, value, range);
  }

  number(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.source[name];
    const value = raw === undefined || raw === '' ? fallback : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(value)) throw new ConfigError(`${name} must be a number, got ${JSON.stringify(raw)}`);
    return this.inRange(name, value, range);
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.source[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
  }

  private inRange(name: string, value: number, { min, max }: { min?: number; max?: number }): number {
    if (min !== undefined && value < min) throw new ConfigError(`${name} must be at least ${min}, got ${value}`);
    if (max !== undefined && value > max) throw new ConfigError(`${name} must be at most ${max}, got ${value}`);
    return value;
  }
}

export const CPU_COUNT = Math.max(1, cpus().length);
