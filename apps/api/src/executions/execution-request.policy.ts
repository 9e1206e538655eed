import { BadRequestException, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LIMIT_NAMES, type ApiConfig, type AppConfig, type SandboxConfig, type SandboxLimits } from '@sps/config';
import { DEFAULT_ENVIRONMENT } from '@sps/environments';
import type { ExecutionJobData, QueuedInputFile } from '@sps/queue';
import { MAIN_FILE_NAME, relativePathProblem } from '@sps/sandbox';
import type { Principal } from '../auth/principal';
import type { CreateExecutionDto, InputFileDto } from './dto/create-execution.dto';

/** GET /v1/limits: a key's defaults and maxima, and what one request may carry. */
export interface ExecutionLimits {
  defaults: SandboxLimits;
  max: SandboxLimits;
  request: {
    codeBytes: number;
    stdinBytes: number;
    args: number;
    argBytes: number;
    inputFiles: number;
    inputFileBytes: number;
  };
}

// With the u flag, a surrogate pair is one code point; only a lone surrogate is in category Cs.
const LONE_SURROGATE = /\p{Cs}/u;
const wellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);
const WELL_FORMED = (field: string) => `${field} must be well-formed Unicode (no lone surrogates)`;

const isBase64Digit = (code: number): boolean =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 43 || code === 47;

/**
 * Standard base64 with its padding, checked in one pass: a regular expression
 * over a string of megabytes backtracks deep enough to overflow V8's regex stack.
 */
export const isBase64 = (text: string): boolean => {
  if (text.length % 4 !== 0) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  for (let i = 0; i < text.length - padding; i++) if (!isBase64Digit(text.charCodeAt(i))) return false;
  return true;
};

/**
 * The checks that depend on the server's configuration and on the caller's
 * key, applied after the DTO validation: sizes, maxima, file paths, encoding.
 * Turns a valid request into job data owned by the caller; sessions apply the
 * same checks to what they share with jobs.
 */
@Injectable()
export class ExecutionRequestPolicy {
  private readonly api: ApiConfig;
  private readonly sandbox: SandboxConfig;

  constructor(config: ConfigService<AppConfig, true>) {
    this.api = config.get('api', { infer: true });
    this.sandbox = config.get('sandbox', { infer: true });
  }

  toJobData(dto: CreateExecutionDto, owner: Principal): ExecutionJobData {
    const stdin = dto.stdin ?? '';
    const args = dto.args ?? [];
    const problems = this.sourceProblems(dto.code, stdin);
    const check = (ok: boolean, message: string) => ok || problems.push(message);
    check(args.length <= this.api.maxArgs, `args must have at most ${this.api.maxArgs} entries`);
    args.forEach((arg, i) => {
      check(!arg.includes('\0'), `args.${i} must not contain NUL`);
      check(wellFormed(arg), WELL_FORMED(`args.${i}`));
      check(Buffer.byteLength(arg) <= this.api.maxArgBytes, `args.${i} must be at most ${this.api.maxArgBytes} bytes`);
    });
    check(
      !dto.network || this.sandbox.allowNetwork,
      'network must be false: network access is disabled on this server',
    );
    const limits = this.resolveLimits(dto.limits, owner, problems);
    const files = this.resolveFiles(dto.files ?? [], problems, [MAIN_FILE_NAME]);
    if (problems.length) throw new BadRequestException(problems);
    const data: ExecutionJobData = {
      ownerKeyId: owner.keyId,
      code: dto.code,
      stdin,
      args,
      files,
      limits,
      network: dto.network === true,
      environment: dto.environment ?? DEFAULT_ENVIRONMENT,
      createdAt: new Date().toISOString(),
    };
    // Its URL is checked by ExecutionsService, which resolves the host: that takes a lookup, this does not.
    if (dto.webhook) data.webhook = { url: dto.webhook.url };
    return data;
  }

  /**
   * What a job of this key gets when it asks for no limits, the most it may ask
   * for, and the most a request may carry: what toJobData enforces, for clients to show.
   */
  limitsFor(owner: Principal): ExecutionLimits {
    const defaults = { ...this.sandbox.defaults };
    const max = { ...this.sandbox.max };
    for (const key of LIMIT_NAMES) {
      max[key] = Math.min(owner.quotas.maxLimits[key], this.sandbox.max[key]);
      // A key held below the server's default gets its own maximum as its default.
      defaults[key] = Math.min(defaults[key], max[key]);
    }
    const { api } = this;
    return {
      defaults,
      max,
      request: {
        codeBytes: api.maxCodeBytes,
        stdinBytes: api.maxStdinBytes,
        args: api.maxArgs,
        argBytes: api.maxArgBytes,
        inputFiles: api.maxInputFiles,
        inputFileBytes: api.maxInputFileBytes,
      },
    };
  }

  /** The limits a valid request runs with: those it asks for, the defaults for this key otherwise. */
  requestLimits(dto: CreateExecutionDto, owner: Principal): SandboxLimits {
    return this.resolveLimits(dto.limits, owner, []);
  }

  /** What is wrong with code and stdin: their sizes and their encoding. */
  sourceProblems(code: string, stdin: string): string[] {
    const problems: string[] = [];
    const check = (ok: boolean, message: string) => ok || problems.push(message);
    // A lone UTF-16 surrogate has no UTF-8 form: it would be mangled on the way or break the runner.
    check(wellFormed(code), WELL_FORMED('code'));
    check(Buffer.byteLength(code) <= this.api.maxCodeBytes, `code must be at most ${this.api.maxCodeBytes} bytes`);
    check(wellFormed(stdin), WELL_FORMED('stdin'));
    check(Buffer.byteLength(stdin) <= this.api.maxStdinBytes, `stdin must be at most ${this.api.maxStdinBytes} bytes`);
    return problems;
  }

  /** The limits asked for, each within this key's maxima (a problem is added for any above), and its defaults for the rest. */
  resolveLimits(
    requestedLimits: Partial<SandboxLimits> | undefined,
    owner: Principal,
    problems: string[],
  ): SandboxLimits {
    const { defaults, max } = this.limitsFor(owner);
    const limits = { ...defaults };
    for (const key of LIMIT_NAMES) {
      const requested = requestedLimits?.[key];
      if (requested === undefined) continue;
      if (requested > max[key]) {
        const whose = max[key] < this.sandbox.max[key] ? "this API key's maximum" : "the server's maximum";
        problems.push(`limits.${key} must not be greater than ${max[key]} (${whose})`);
      }
      limits[key] = requested;
    }
    return limits;
  }

  /** Input files with checked paths (none of `reserved`) and decoded sizes, as they travel to the runner. */
  resolveFiles(files: InputFileDto[], problems: string[], reserved: string[] = []): QueuedInputFile[] {
    if (files.length > this.api.maxInputFiles) {
      problems.push(`files must have at most ${this.api.maxInputFiles} entries`);
      return [];
    }
    const seen = new Set<string>();
    let total = 0;
    const resolved = files.map((file, i) => {
      const problem = wellFormed(file.path)
        ? relativePathProblem(file.path)
        : 'must be well-formed Unicode (no lone surrogates)';
      if (problem) problems.push(`files.${i}.path ${problem}`);
      else {
        // A reserved name, and anything under it: the runner writes the code there as a file.
        const taken = reserved.find((name) => file.path === name || file.path.startsWith(`${name}/`));
        if (taken) problems.push(`files.${i}.path "${taken}" is where the code itself goes`);
        else if (seen.has(file.path)) problems.push(`files.${i}.path duplicates an earlier file`);
      }
      seen.add(file.path);
      let data: Buffer;
      if (file.encoding === 'base64') {
        if (!isBase64(file.content)) problems.push(`files.${i}.content must be valid base64`);
        data = Buffer.from(file.content, 'base64');
      } else {
        if (!wellFormed(file.content)) problems.push(WELL_FORMED(`files.${i}.content`));
        data = Buffer.from(file.content, 'utf8');
      }
      total += data.length;
      return { path: file.path, data: data.toString('base64') };
    });
    // "a" as a file and "a/b" beneath it cannot both exist.
    for (const [i, file] of files.entries()) {
      const segments = file.path.split('/');
      for (let depth = 1; depth < segments.length; depth++) {
        if (seen.has(segments.slice(0, depth).join('/'))) {
          problems.push(`files.${i}.path is beneath another input file`);
          break;
        }
      }
    }
    if (total > this.api.maxInputFileBytes)
      problems.push(`files must total at most ${this.api.maxInputFileBytes} bytes`);
    return resolved;
  }
}
