import {
  BadRequestException,
  ConflictException,
  GatewayTimeoutException,
  HttpException,
  HttpStatus,
  Injectable,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  isOpenSession,
  SessionFileAnswer,
  SessionFileOp,
  SessionQueue,
  SessionRecord,
  SessionRecords,
  SessionReplies,
} from '@sps/queue';
import { withRedis } from '@sps/redis';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { SessionGoneException } from './session-gone.exception';
import { SessionRequestPolicy } from './session-request.policy';
import { SessionWaiter } from './session-waiter.service';
import { SessionsService } from './sessions.service';

/** A file request as this service makes it, before it is addressed (each kind of request on its own). */
type Unaddressed<Op> = Op extends unknown ? Omit<Op, 'sessionId' | 'requestId'> : never;
type FileOp = Unaddressed<SessionFileOp>;

export interface SessionFileListing {
  files: { path: string; size: number }[];
  truncated: boolean;
}

/**
 * Files in a session's working directory, read and written by its runner on
 * request, even while a cell runs: the same path rules as a job's input
 * files, only regular files, and never through a link.
 */
@Injectable()
export class SessionFilesService {
  private readonly timeoutMs: number;
  private readonly maxPutBytes: number;
  private readonly maxGetBytes: number;
  private readonly workdirMb: number;

  constructor(
    private readonly sessions: SessionsService,
    private readonly policy: SessionRequestPolicy,
    private readonly records: SessionRecords,
    private readonly replies: SessionReplies,
    private readonly queue: SessionQueue,
    private readonly waiter: SessionWaiter,
    config: ConfigService<AppConfig, true>,
  ) {
    this.timeoutMs = config.get('sessions.fileTimeoutMs', { infer: true });
    this.maxPutBytes = config.get('api.maxInputFileBytes', { infer: true });
    this.maxGetBytes = config.get('sandbox.maxOutputFileBytes', { infer: true });
    this.workdirMb = config.get('sandbox.workdirMb', { infer: true });
  }

  async put(sessionId: string, path: string, body: Buffer, owner: Principal): Promise<{ path: string; size: number }> {
    this.policy.checkPath(path);
    if (body.length > this.maxPutBytes)
      throw new PayloadTooLargeException(`a file must be at most ${this.maxPutBytes} bytes (MAX_INPUT_FILES_BYTES)`);
    const { answer } = await this.ask(sessionId, owner, path, { kind: 'put', path, data: body.toString('base64') });
    return { path, size: answer.size ?? body.length };
  }

  async get(sessionId: string, path: string, owner: Principal): Promise<Buffer> {
    this.policy.checkPath(path);
    return (await this.ask(sessionId, owner, path, { kind: 'get', path })).content;
  }

  async list(sessionId: string, owner: Principal): Promise<SessionFileListing> {
    const { answer } = await this.ask(sessionId, owner, '', { kind: 'list' });
    return { files: answer.files ?? [], truncated: answer.truncated === true };
  }

  private async ask(
    sessionId: string,
    owner: Principal,
    path: string,
    op: FileOp,
  ): Promise<{ answer: Extract<SessionFileAnswer, { ok: true }>; content: Buffer }> {
    const session = await this.sessions.open(sessionId, owner);
    const requestId = randomUUID();
    await this.queue.send(session.workerId, { ...op, sessionId, requestId });
    const reply = await this.waiter.until(
      [requestId, sessionId],
      this.timeoutMs,
      () => withRedis(() => this.replyOrEnd(requestId, session)),
      (value) => value !== null,
    );
    if (reply === null)
      throw new GatewayTimeoutException(`the session's worker did not answer within ${this.timeoutMs} ms; try again`);
    if ('gone' in reply) throw new SessionGoneException(reply.gone);
    const { answer, content } = reply;
    if (!answer.ok) throw this.refusal(answer, path, session);
    return { answer, content };
  }

  private async replyOrEnd(
    requestId: string,
    session: SessionRecord,
  ): Promise<{ answer: SessionFileAnswer; content: Buffer } | { gone: SessionRecord } | null> {
    const reply = await this.replies.take(requestId);
    if (reply) return reply;
    const current = await this.records.get(session.id);
    return current && !isOpenSession(current.status) ? { gone: current } : null;
  }

  private refusal(
    answer: Extract<SessionFileAnswer, { ok: false }>,
    path: string,
    session: SessionRecord,
  ): HttpException {
    switch (answer.refusal) {
      case 'ended':
        return new SessionGoneException({ ...session, status: 'closed', reason: answer.reason ?? null });
      case 'link':
        return new ConflictException(
          `"${path}" is a link, or under one: links are never followed, served or written through`,
        );
      case 'not-regular':
        return new ConflictException(`"${path}" is not a regular file`);
      case 'missing':
        return new NotFoundException(`no file "${path}" in session ${session.id}`);
      case 'too-large':
        return new PayloadTooLargeException(
          `"${path}" is larger than ${this.maxGetBytes} bytes, the most a file is served (SANDBOX_MAX_OUTPUT_FILE_BYTES)`,
        );
      case 'no-space':
        return new HttpException(
          {
            statusCode: HttpStatus.INSUFFICIENT_STORAGE,
            message: `the session's working directory is full (${this.workdirMb} MiB, SANDBOX_WORKDIR_MB)`,
            error: 'Insufficient Storage',
          },
          HttpStatus.INSUFFICIENT_STORAGE,
        );
      case 'invalid':
        return new BadRequestException([`path "${path}" is not a valid path`]);
      default:
        return new ConflictException(`"${path}" could not be read or written`);
    }
  }
}
