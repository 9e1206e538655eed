import { Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  executionResult,
  ExecutionResult,
  isFinalStatus,
  isOpenSession,
  SessionExecution,
  sessionExecutionResult,
  SessionExecutions,
  SessionQueue,
  SessionRecord,
  SessionRecords,
} from '@sps/queue';
import { withRedis } from '@sps/redis';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import type { FollowedExecution } from '../executions/execution-event-streams.service';
import type { CreateSessionExecutionDto } from './dto/create-session-execution.dto';
import { SessionRequestPolicy } from './session-request.policy';
import { SessionWaiter } from './session-waiter.service';
import { SessionsService } from './sessions.service';

/**
 * A session's cells: queued on the session's own bounded queue, sent to its
 * worker, and waited for as a job is (`?wait=true` up to the wait cap). A
 * cell that had not finished when its session ended is answered as an error
 * naming why the session ended.
 */
@Injectable()
export class SessionExecutionsService {
  private readonly maxQueued: number;
  private readonly heartbeatTtlMs: number;
  private readonly waitCapMs: number;
  private readonly retentionSeconds: number;

  constructor(
    private readonly sessions: SessionsService,
    private readonly policy: SessionRequestPolicy,
    private readonly records: SessionRecords,
    private readonly executions: SessionExecutions,
    private readonly queue: SessionQueue,
    private readonly waiter: SessionWaiter,
    config: ConfigService<AppConfig, true>,
  ) {
    this.maxQueued = config.get('sessions.maxQueuedCells', { infer: true });
    this.heartbeatTtlMs = config.get('worker.heartbeatTtlMs', { infer: true });
    this.waitCapMs = config.get('api.waitCapMs', { infer: true });
    this.retentionSeconds = config.get('queue.resultTtlSeconds', { infer: true });
  }

  async submit(
    sessionId: string,
    dto: CreateSessionExecutionDto,
    owner: Principal,
    wait: boolean,
  ): Promise<ExecutionResult> {
    const admission = await withRedis(() =>
      this.records.admitCell(sessionId, owner.keyId, this.maxQueued, Date.now() - this.heartbeatTtlMs),
    );
    if (!admission.admitted) throw await this.sessions.refusal(sessionId, owner, admission.refusal, this.maxQueued);
    const execution: SessionExecution = {
      id: randomUUID(),
      sessionId,
      ownerKeyId: owner.keyId,
      createdAt: new Date().toISOString(),
      environment: admission.environment,
      state: { kind: 'queued' },
    };
    try {
      const cell = this.policy.toCell(dto, admission.limits, owner);
      // At once: the record is written only if the worker has not written a later state already.
      await Promise.all([
        withRedis(() => this.executions.create(execution)),
        this.queue.send(admission.workerId, {
          kind: 'cell',
          sessionId,
          executionId: execution.id,
          ownerKeyId: owner.keyId,
          createdAt: execution.createdAt,
          ...cell,
        }),
      ]);
    } catch (error) {
      await this.records.releaseCell(sessionId).catch(() => undefined);
      await this.executions.remove(execution.id).catch(() => undefined);
      throw error;
    }
    const queued = sessionExecutionResult(execution);
    return wait ? this.waitForFinal(sessionId, execution.id, owner, queued) : queued;
  }

  /** What an event stream of a cell follows, for its owner: woken by the cell's changes and the session's, as a wait is. */
  eventSource(sessionId: string, executionId: string, owner: Principal): FollowedExecution {
    return {
      id: executionId,
      read: () => this.read(sessionId, executionId, owner),
      watch: (onChange) => Promise.resolve(this.waiter.listen([executionId, sessionId], onChange)),
    };
  }

  async get(sessionId: string, executionId: string, owner: Principal, wait: boolean): Promise<ExecutionResult> {
    return wait ? this.waitForFinal(sessionId, executionId, owner) : this.read(sessionId, executionId, owner);
  }

  /**
   * The result once final, or as it is when the wait cap runs out; woken by
   * the cell's changes and the session's. `known` is the owner's own
   * submission, as it was just written: nothing to read back first.
   */
  private waitForFinal(
    sessionId: string,
    executionId: string,
    owner: Principal,
    known?: ExecutionResult,
  ): Promise<ExecutionResult> {
    return this.waiter.until(
      [executionId, sessionId],
      this.waitCapMs,
      () => this.read(sessionId, executionId, owner),
      (result) => isFinalStatus(result.status),
      known,
    );
  }

  private async read(sessionId: string, executionId: string, owner: Principal): Promise<ExecutionResult> {
    const execution = await withRedis(() => this.executions.get(executionId));
    if (!execution || execution.ownerKeyId !== owner.keyId || execution.sessionId !== sessionId)
      throw this.notFound(executionId);
    const result = sessionExecutionResult(execution);
    if (isFinalStatus(result.status)) return result;
    const session = await withRedis(() => this.records.statusOf(sessionId));
    return session && isOpenSession(session.status) ? result : this.endedWith(execution, session);
  }

  /** A cell its session will never finish now: an error that says why the session ended. */
  private endedWith(
    execution: SessionExecution,
    session: Pick<SessionRecord, 'status' | 'reason' | 'endedAt'> | null,
  ): ExecutionResult {
    const why = session
      ? `the session ${session.status === 'closed' ? 'was closed' : 'ended'} before the cell finished: ${session.reason ?? 'no reason recorded'}`
      : 'the session is gone';
    return executionResult(execution, { kind: 'failed', error: why, finishedAt: session?.endedAt ?? null });
  }

  private notFound(id: string): NotFoundException {
    return new NotFoundException(
      `execution ${id} not found in this session: it never existed, or its result has expired (results are kept ${this.retentionSeconds} s)`,
    );
  }
}
