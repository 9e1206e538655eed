import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  ExecutionCancels,
  executionResult,
  ExecutionQueue,
  ExecutionResult,
  FairShare,
  identityOf,
  InFlightLimitError,
  isFinalStatus,
  resultOfJob,
} from '@sps/queue';
import { withRedis } from '@sps/redis';
import type { Principal } from '../auth/principal';
import { TooManyRequestsException } from '../http/too-many-requests.exception';
import type { CreateExecutionDto } from './dto/create-execution.dto';
import { ExecutionRequestPolicy } from './execution-request.policy';
import { ExecutionWaiter } from './execution-waiter.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CANCEL_SETTLE_MS = 5000;
const IN_FLIGHT_RETRY_AFTER_SECONDS = 5;

/**
 * Every lookup is by (id, owner): another key's execution is answered exactly
 * like one that never existed, so ids cannot be probed across tenants.
 */
@Injectable()
export class ExecutionsService {
  private readonly resultTtlSeconds: number;
  private readonly waitCapMs: number;

  constructor(
    private readonly policy: ExecutionRequestPolicy,
    private readonly queue: ExecutionQueue,
    private readonly waiter: ExecutionWaiter,
    private readonly cancels: ExecutionCancels,
    private readonly fairShare: FairShare,
    config: ConfigService<AppConfig, true>,
  ) {
    this.resultTtlSeconds = config.get('queue.resultTtlSeconds', { infer: true });
    this.waitCapMs = config.get('api.waitCapMs', { infer: true });
  }

  /**
   * Queues the job for its owner and answers its result: as queued (built
   * here rather than read back), or with `wait`, once final or when the wait
   * cap runs out, whichever comes first.
   */
  async submit(dto: CreateExecutionDto, owner: Principal, wait: boolean): Promise<ExecutionResult> {
    const data = this.policy.toJobData(dto, owner);
    let queued: ExecutionResult;
    try {
      queued = executionResult(identityOf(await this.queue.enqueue(data, owner.quotas.maxInFlight), data), {
        kind: 'queued',
      });
    } catch (error) {
      if (error instanceof InFlightLimitError)
        throw new TooManyRequestsException(error.message, IN_FLIGHT_RETRY_AFTER_SECONDS);
      throw error;
    }
    return wait ? this.waitForFinal(queued.id, owner, queued) : queued;
  }

  async get(id: string, owner: Principal): Promise<ExecutionResult> {
    if (!UUID.test(id)) throw this.notFound(id);
    const found = await withRedis(() => this.queue.findWithState(id));
    if (found) {
      if (found.job.data.ownerKeyId === owner.keyId) return resultOfJob(found.job, found.state);
      throw this.notFound(id);
    }
    const cancelled = await withRedis(() => this.cancels.resultOf(id));
    if (cancelled?.owner === owner.keyId) return cancelled.result;
    throw this.notFound(id);
  }

  /**
   * The result once final, or the latest one when the wait cap (or `timeoutMs`)
   * runs out first. A completion event carries the result, so the common case
   * reads nothing back. Ownership is checked by the first read; `known` may
   * skip it only because it is the owner's own submission.
   */
  async waitForFinal(
    id: string,
    owner: Principal,
    known?: ExecutionResult,
    timeoutMs = this.waitCapMs,
  ): Promise<ExecutionResult> {
    const deadline = Date.now() + timeoutMs;
    let next = this.waiter.nextEvent(id, timeoutMs); // registered before reading: no lost wake-up
    let current: ExecutionResult;
    try {
      current = known ?? (await this.get(id, owner));
    } catch (error) {
      next.cancel();
      throw error;
    }
    while (!isFinalStatus(current.status) && Date.now() < deadline) {
      const event = await next.settled;
      if (event.kind === 'completed') return executionResult(current, { kind: 'ran', run: event.result });
      next = this.waiter.nextEvent(id, deadline - Date.now());
      current = await this.get(id, owner).catch((error) => {
        next.cancel();
        throw error;
      });
    }
    next.cancel();
    return current;
  }

  async cancel(id: string, owner: Principal): Promise<ExecutionResult> {
    const current = await this.get(id, owner);
    if (isFinalStatus(current.status)) throw new ConflictException(`execution ${id} is already ${current.status}`);
    await withRedis(() => this.cancels.request(id));
    if (current.status === 'queued' && (await this.removeQueued(id, owner, current))) return this.get(id, owner);
    await withRedis(() => this.cancels.notify(id));
    const result = await this.waitForFinal(id, owner, undefined, CANCEL_SETTLE_MS);
    if (result.status !== 'cancelled') {
      throw new ConflictException(`execution ${id} finished as ${result.status} before it could be cancelled`);
    }
    return result;
  }

  /** A queued job is removed so it never runs; its final result is written first so no reader sees a gap. */
  private async removeQueued(id: string, owner: Principal, current: ExecutionResult): Promise<boolean> {
    const result = executionResult(current, {
      kind: 'cancelled',
      finishedAt: new Date().toISOString(),
      workerId: null,
    });
    await withRedis(() => this.cancels.keepResult(id, { owner: owner.keyId, result }));
    const job = await this.queue.find(id);
    try {
      await job?.remove();
      await this.fairShare.release(owner.keyId, id).catch(() => undefined); // the queue forgets it lazily otherwise
      this.waiter.wake(id);
      return true;
    } catch {
      await this.cancels.dropResult(id); // a worker took it meanwhile: cancel it while running instead
      return false;
    }
  }

  /** The same answer whether the id never existed, has expired, or belongs to another key. */
  private notFound(id: string): NotFoundException {
    return new NotFoundException(
      `execution ${id} not found: it never existed, or its result has expired (results are kept ${this.resultTtlSeconds} s)`,
    );
  }
}
