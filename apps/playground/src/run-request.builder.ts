import type { InputFile, RunRequest, SandboxLimits, ServerLimits } from './api.types';

/** What the form holds, as typed. */
export interface RunForm {
  code: string;
  environment: string;
  stdin: string;
  /** One argument per line. */
  args: string;
  files: InputFile[];
  timeoutMs: string;
  memoryMb: string;
}

export type BuiltRequest = { request: RunRequest } | { problems: string[] };

const LIMIT_FIELDS = [
  { key: 'timeoutMs', label: 'timeout (ms)' },
  { key: 'memoryMb', label: 'memory (MB)' },
] as const satisfies readonly { key: keyof SandboxLimits & keyof RunForm; label: string }[];

/**
 * Turns the form into a request body, sending only what the person set: an
 * empty limit takes the server's default. Catches here what the page can
 * explain at once (a limit above this key's maximum); the server checks
 * everything again and its 400 names the field.
 */
export const buildRunRequest = (form: RunForm, limits: ServerLimits | undefined): BuiltRequest => {
  const problems: string[] = [];
  const request: RunRequest = { code: form.code, environment: form.environment };
  if (form.stdin !== '') request.stdin = form.stdin;
  if (form.args !== '') request.args = form.args.replace(/\r?\n$/, '').split(/\r?\n/);
  if (form.files.length) request.files = form.files;
  for (const { key, label } of LIMIT_FIELDS) {
    const text = form[key].trim();
    if (text === '') continue;
    const value = Number(text);
    const max = limits?.max[key];
    if (!Number.isInteger(value) || value < 1) problems.push(`${label} must be a whole number above 0`);
    else if (max !== undefined && value > max) problems.push(`${label} must be at most ${max}, this key's maximum`);
    else request.limits = { ...request.limits, [key]: value };
  }
  return problems.length ? { problems } : { request };
};
