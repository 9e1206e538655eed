import { BadRequestException, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, SandboxLimits, SessionConfig, SessionTimes } from '@sps/config';
import { DEFAULT_ENVIRONMENT } from '@sps/environments';
import type { QueuedInputFile } from '@sps/queue';
import { relativePathProblem } from '@sps/sandbox';
import type { Principal } from '../auth/principal';
import { ExecutionRequestPolicy } from '../executions/execution-request.policy';
import type { CreateSessionExecutionDto } from './dto/create-session-execution.dto';
import type { CreateSessionDto } from './dto/create-session.dto';

/** A valid request for a session, with every default filled in. */
export interface SessionRequest extends SessionTimes {
  environment: string;
  limits: SandboxLimits;
  files: QueuedInputFile[];
}

/** A valid cell. */
export interface CellRequest {
  code: string;
  stdin: string;
  timeoutMs: number;
}

/**
 * The checks of session requests that depend on the settings and on the
 * caller's key: those a session shares with a job (limits, input files, code
 * and stdin) are the job's own, from ExecutionRequestPolicy; the session's
 * times are held to the server's maxima. Every problem is a 400 naming the field.
 */
@Injectable()
export class SessionRequestPolicy {
  private readonly config: SessionConfig;
  private readonly serverMaxTimeoutMs: number;

  constructor(
    private readonly executions: ExecutionRequestPolicy,
    config: ConfigService<AppConfig, true>,
  ) {
    this.config = config.get('sessions', { infer: true });
    this.serverMaxTimeoutMs = config.get('sandbox.max.timeoutMs', { infer: true });
  }

  toSession(dto: CreateSessionDto, owner: Principal): SessionRequest {
    const problems: string[] = [];
    const limits = this.executions.resolveLimits(dto.limits, owner, problems);
    const files = this.executions.resolveFiles(dto.files ?? [], problems);
    const time = (name: keyof SessionTimes): number => {
      const requested = dto[name];
      if (requested === undefined) return this.config.defaults[name];
      if (requested > this.config.max[name])
        problems.push(`${name} must not be greater than ${this.config.max[name]} (the server's maximum)`);
      return requested;
    };
    const request: SessionRequest = {
      environment: dto.environment ?? DEFAULT_ENVIRONMENT,
      limits,
      files,
      idleTimeoutSeconds: time('idleTimeoutSeconds'),
      maxLifetimeSeconds: time('maxLifetimeSeconds'),
    };
    if (problems.length) throw new BadRequestException(problems);
    return request;
  }

  /** A cell's code, stdin and time limit: its own, or the session's (`limits`). */
  toCell(dto: CreateSessionExecutionDto, limits: SandboxLimits, owner: Principal): CellRequest {
    const stdin = dto.stdin ?? '';
    const problems = this.executions.sourceProblems(dto.code, stdin);
    const max = this.executions.limitsFor(owner).max.timeoutMs;
    if (dto.timeoutMs !== undefined && dto.timeoutMs > max) {
      const whose = max < this.serverMaxTimeoutMs ? "this API key's maximum" : "the server's maximum";
      problems.push(`timeoutMs must not be greater than ${max} (${whose})`);
    }
    if (problems.length) throw new BadRequestException(problems);
    return { code: dto.code, stdin, timeoutMs: dto.timeoutMs ?? limits.timeoutMs };
  }

  /** A file path in a URL: the same rules as a job's input files. */
  checkPath(path: string): void {
    const problem = relativePathProblem(path);
    if (problem) throw new BadRequestException([`path ${problem}`]);
  }
}
