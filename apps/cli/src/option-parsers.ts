import { InvalidArgumentError } from 'commander';

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const SIZE_UNITS_MB: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024 };

/** "500ms", "5s", "1.5m", or a bare number of seconds (as coreutils `timeout` reads it); whole milliseconds. */
export const parseDuration = (text: string): number => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/i.exec(text.trim());
  const ms = match ? Math.round(Number(match[1]) * DURATION_UNITS_MS[(match[2] ?? 's').toLowerCase()]) : NaN;
  if (!(ms >= 1)) throw new InvalidArgumentError('expected a duration such as 500ms, 5s or 2m');
  return ms;
};

/** "256m", "1g", "524288k", or a bare number of megabytes (as Docker's --memory reads suffixes); whole megabytes. */
export const parseMemory = (text: string): number => {
  const match = /^(\d+(?:\.\d+)?)([kmg])?b?$/i.exec(text.trim());
  const mb = match ? Number(match[1]) * SIZE_UNITS_MB[(match[2] ?? 'm').toLowerCase()] : NaN;
  if (!(mb >= 1) || !Number.isInteger(mb))
    throw new InvalidArgumentError('expected a whole number of megabytes such as 256m or 1g');
  return mb;
};

/** For repeatable options: each use adds one value. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
