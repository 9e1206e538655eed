import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  CPU_COUNT,
  LIMIT_NAMES,
  SANDBOX_LIMITS,
  type ApiConfig,
  type AppConfig,
  type SandboxConfig,
} from '@sps/config';
import type { ExecutionJobData } from '@sps/queue';
import { MAIN_FILE_NAME, relativePathProblem } from '@sps/sandbox';
import { UnrecoverableError } from 'bullmq';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Canonical base64 only, checked by decoding and encoding again: no regex to backtrack over megabytes. */
const base64Bytes = (text: string): number | null => {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes.length : null;
};

/**
 * Checks a job as the worker reads it from Redis, against this worker's own
 * maxima, before anything of it runs. The API checked the request already,
 * but the job then sat in Redis, and whoever can write there could have
 * rewritten its limits or inputs since: the worker trusts none of it.
 */
@Injectable()
export class JobDataVerifier {
  private readonly sandbox: SandboxConfig;
  private readonly inputs: ApiConfig;
  private readonly workerId: string;

  constructor(config: ConfigService<AppConfig, true>) {
    this.sandbox = config.get('sandbox', { infer: true });
    this.inputs = config.get('api', { infer: true });
    this.workerId = config.get('worker.id', { infer: true });
  }

  /** Throws UnrecoverableError, so the job ends as `error` at once, never run and never retried, saying why. */
  verify(data: ExecutionJobData): void {
    const problems = this.problems(data);
    if (problems.length) throw new UnrecoverableError(`refused by worker ${this.workerId}: ${problems.join('; ')}`);
  }

  problems(data: unknown): string[] {
    if (!isRecord(data)) return ['the job has no data'];
    return [
      ...this.limitProblems(data.limits),
      ...this.inputProblems(data),
      ...this.fileProblems(data.files),
      ...(typeof data.network === 'boolean' ? [] : ['network is not true or false']),
      ...(typeof data.environment === 'string' ? [] : ['environment is not a name']),
      ...(typeof data.createdAt === 'string' && !Number.isNaN(Date.parse(data.createdAt))
        ? []
        : ['createdAt is not a time']),
    ];
  }

  private limitProblems(limits: unknown): string[] {
    if (!isRecord(limits)) return ['limits are missing'];
    const problems: string[] = [];
    for (const name of LIMIT_NAMES) {
      const value = limits[name];
      const { min, integer } = SANDBOX_LIMITS[name];
      const max = this.sandbox.max[name];
      if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
        problems.push(`limits.${name} is not ${integer ? 'an integer' : 'a number'}`);
      else if (value < min) problems.push(`limits.${name} is ${value}, below the minimum of ${min}`);
      else if (value > max) problems.push(`limits.${name} is ${value}, above this worker's maximum of ${max}`);
      // The API checks against its own host's CPUs; this host may have fewer.
      else if (name === 'cpus' && value > CPU_COUNT)
        problems.push(`limits.cpus is ${value}, more than the ${CPU_COUNT} CPUs of worker ${this.workerId}`);
    }
    return problems;
  }

  private inputProblems({ code, stdin, args }: Record<string, unknown>): string[] {
    const { maxCodeBytes, maxStdinBytes, maxArgs, maxArgBytes } = this.inputs;
    const problems: string[] = [];
    if (typeof code !== 'string') problems.push('code is not text');
    else if (Buffer.byteLength(code) > maxCodeBytes) problems.push(`code is over ${maxCodeBytes} bytes`);
    if (typeof stdin !== 'string') problems.push('stdin is not text');
    else if (Buffer.byteLength(stdin) > maxStdinBytes) problems.push(`stdin is over ${maxStdinBytes} bytes`);
    if (!Array.isArray(args)) return [...problems, 'args is not a list'];
    if (args.length > maxArgs) problems.push(`args has more than ${maxArgs} entries`);
    else if (args.some((arg) => typeof arg !== 'string' || arg.includes('\0') || Buffer.byteLength(arg) > maxArgBytes))
      problems.push(`args holds an entry that is not text of at most ${maxArgBytes} bytes without NUL`);
    return problems;
  }

  private fileProblems(files: unknown): string[] {
    const { maxInputFiles, maxInputFileBytes } = this.inputs;
    if (!Array.isArray(files)) return ['files is not a list'];
    if (files.length > maxInputFiles) return [`files has more than ${maxInputFiles} entries`];
    const problems: string[] = [];
    let total = 0;
    files.forEach((file: unknown, i) => {
      const path = isRecord(file) ? file.path : undefined;
      const pathProblem = relativePathProblem(path);
      if (pathProblem) problems.push(`files.${i}.path ${pathProblem}`);
      else if (path === MAIN_FILE_NAME || (path as string).startsWith(`${MAIN_FILE_NAME}/`))
        problems.push(`files.${i}.path is where the code goes`);
      const bytes = isRecord(file) && typeof file.data === 'string' ? base64Bytes(file.data) : null;
      if (bytes === null) problems.push(`files.${i} holds no base64 content`);
      else total += bytes;
    });
    if (total > maxInputFileBytes) problems.push(`files total over ${maxInputFileBytes} bytes`);
    return problems;
  }
}
