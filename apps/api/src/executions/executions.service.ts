import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  ExecutionCancels,
  ExecutionEvents,
  executionResult,
  ExecutionQueue,
  ExecutionResult,
  ExecutionStore,
  FairShare,
  identityOf,
  InFlightLimitError,
  isFinalStatus,
  NO_OUTPUT,
  resultOfPendingJob,
  StorageBudgetError,
  storedReportOf,
} from '@sps/queue';
import { withRedis } from '@sps/redis';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { TooManyRequestsException } from '../http/too-many-requests.exception';
import type { CreateExecutionDto } from './dto/create-execution.dto';
import { ExecutionRequestPolicy } from './execution-request.policy';
import type { FollowedExecution } from './execution-event-streams.service';
import { ExecutionWaiter, type ExecutionWatch } from './execution-waiter.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CANCEL_SETTLE_MS = 5000;
const IN_FLIGHT_RETRY_AFTER_SECONDS = 5;
const STORAGE_RETRY_AFTER_SECONDS = 60;

/**
 * Every lookup is by (id, owner): another key's execution is answered exactly
 * like one that never existed, so ids cannot be probed across tenants.
 */
@Injectable()
export class ExecutionsService {
  private readonly waitCapMs: number;

  constructor(
    private readonly policy: ExecutionRequestPolicy,
    private readonly queue: ExecutionQueue,
    private readonly store: ExecutionStore,
    private readonly waiter: ExecutionWaiter,
    private readonly cancels: ExecutionCancels,
    private readonly fairShare: FairShare,
    private readonly events: ExecutionEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.waitCapMs = config.get('api.waitCapMs', { infer: true });
  }

  /**
   * Queues the job for its owner and answers its result: as queued (built
   * here rather than read back), or with `wait`, once final or when the wait
   * cap runs out, whichever comes first.
   */
  async submit(dto: CreateExecutionDto, owner: Principal, wait: boolean): Promise<ExecutionResult> {
    const data = this.policy.toJobData(dto, owner);
    const id = randomUUID();
    // Subscribed while admission is checked, and before the job exists: even the quickest completion is heard.
    const watching = wait ? withRedis(() => this.waiter.watch(id)) : null;
    watching?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    try {
      try {
        await this.queue.enqueue(data, owner.quotas, id, watching ?? undefined);
      } catch (error) {
        if (error instanceof InFlightLimitError)
          throw new TooManyRequestsException(error.message, IN_FLIGHT_RETRY_AFTER_SECONDS);
        if (error instanceof StorageBudgetError)
          throw new TooManyRequestsException(error.message, STORAGE_RETRY_AFTER_SECONDS);
        throw error;
      }
      const queued = executionResult(identityOf(id, data), { kind: 'queued' });
      const watch = await watching;
      return watch ? await this.follow(watch, id, owner, queued, this.waitCapMs) : queued;
    } finally {
      watching?.then((watch) => watch.close()).catch(() => undefined);
    }
  }

  async get(id: string, owner: Principal): Promise<ExecutionResult> {
    const found = UUID.test(id) ? await withRedis(() => this.lookup(id)) : null;
    if (found?.owner === owner.keyId) return found.result;
    throw this.notFound(id);
  }

  /** What an event stream of `id` follows, for its owner (the first read is the 404 for anyone else). */
  eventSource(id: string, owner: Principal, headers?: Record<string, string>): FollowedExecution {
    return { id, read: () => this.get(id, owner), watch: (onChange) => this.waiter.listen(id, onChange), headers };
  }

  /**
   * The result once final, or the latest one when the wait cap (or `timeoutMs`)
   * runs out first. Ownership is checked by the first read; `known` may skip
   * it only because it is the owner's own submission.
   */
  async waitForFinal(id: string, owner: Principal, timeoutMs = this.waitCapMs): Promise<ExecutionResult> {
    if (!UUID.test(id)) throw this.notFound(id);
    const watch = await withRedis(() => this.waiter.watch(id)); // before the first read: no lost wake-up
    try {
      return await this.follow(watch, id, owner, await this.get(id, owner), timeoutMs);
    } finally {
      watch.close();
    }
  }

  /**
   * DELETE: a queued or running execution is cancelled, and its result
   * answered; a final one is deleted with everything kept of it, and the
   * answer is null (204).
   */
  async cancelOrDelete(id: string, owner: Principal): Promise<ExecutionResult | null> {
    const current = await this.get(id, owner);
    if (isFinalStatus(current.status)) {
      await withRedis(async () => {
        await this.store.remove(id, owner.keyId);
        await this.events.remove(id);
        await (await this.queue.find(id))?.remove(); // a job that failed before its record was written
      });
      return null;
    }
    await withRedis(() => this.cancels.request(id));
    if (current.status === 'queued' && (await this.removeQueued(id, owner, current))) return this.get(id, owner);
    await withRedis(() => this.cancels.notify(id));
    const result = await this.waitForFinal(id, owner, CANCEL_SETTLE_MS);
    if (result.status !== 'cancelled') {
      throw new ConflictException(`execution ${id} finished as ${result.status} before it could be cancelled`);
    }
    return result;
  }

  /**
   * Where an execution is: its final record first, then the job BullMQ holds,
   * then the record again. A job's record is written before its job goes, so
   * one that finished between the first two reads is found by the third.
   */
  private async lookup(id: string): Promise<{ owner: string; result: ExecutionResult } | null> {
    const stored = await this.store.read(id);
    if (stored) return stored;
    const pending = await this.queue.findWithState(id);
    const result = pending && resultOfPendingJob(pending.job, pending.state);
    if (pending && result) return { owner: pending.job.data.ownerKeyId, result };
    return this.store.read(id);
  }

  private async follow(
    watch: ExecutionWatch,
    id: string,
    owner: Principal,
    current: ExecutionResult,
    timeoutMs: number,
  ): Promise<ExecutionResult> {
    const deadline = Date.now() + timeoutMs;
    while (!isFinalStatus(current.status) && (await watch.changed(deadline - Date.now()))) {
      current = await this.get(id, owner);
    }
    return current;
  }

  /** A queued job is removed so it never runs; its final result is written first so no reader sees a gap. */
  private async removeQueued(id: string, owner: Principal, current: ExecutionResult): Promise<boolean> {
    const report = storedReportOf({ kind: 'cancelled', finishedAt: new Date().toISOString(), workerId: null });
    const record = await withRedis(() => this.store.save(owner.keyId, current, report, NO_OUTPUT));
    const job = await this.queue.find(id);
    try {
      await job?.remove();
      await this.fairShare.release(owner.keyId, id).catch(() => undefined); // the queue forgets it lazily otherwise
      return true;
    } catch {
      // A worker took it meanwhile: it is cancelled while running instead, and writes its own result.
      await this.store.remove(id, owner.keyId, record ?? '').catch(() => undefined);
      return false;
    }
  }

  /** The same answer whether the id never existed, has expired, or belongs to another key. */
  private notFound(id: string): NotFoundException {
    return new NotFoundException(
      `execution ${id} not found: it never existed, was deleted, or its result has expired (results are kept ${this.store.ttlSeconds} s)`,
    );
  }
}
