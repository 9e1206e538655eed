import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  ExecutionQueue,
  ExecutionResult,
  FairShare,
  InFlightLimitError,
  isFinalStatus,
  queuedResult,
  RedisConnection,
  toExecutionResult,
  withRedis,
} from '@sps/queue';
import type { Principal } from '../auth/principal';
import { TooManyRequestsException } from '../http/too-many-requests.exception';
import type { CreateExecutionDto } from './dto/create-execution.dto';
import { ExecutionRequestPolicy } from './execution-request.policy';
import { ExecutionWaiter } from './execution-waiter.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CANCEL_SETTLE_MS = 5000;
const IN_FLIGHT_RETRY_AFTER_SECONDS = 5;

/** A job cancelled while queued is removed from the queue; its result is kept with its owner. */
interface CancelledRecord {
  owner: string;
  result: ExecutionResult;
}

/**
 * Every lookup is by (id, owner): another key's execution is answered exactly
 * like one that never existed, so ids cannot be probed across tenants.
 */
@Injectable()
export class ExecutionsService {
  private readonly resultTtlSeconds: number;

  constructor(
    private readonly policy: ExecutionRequestPolicy,
    private readonly queue: ExecutionQueue,
    private readonly waiter: ExecutionWaiter,
    private readonly redis: RedisConnection,
    private readonly fairShare: FairShare,
    config: ConfigService<AppConfig, true>,
  ) {
    this.resultTtlSeconds = config.get('queue.resultTtlSeconds', { infer: true });
  }

  /** Queues the job for its owner; the answer is its result as of now, built here rather than read back. */
  async submit(dto: CreateExecutionDto, owner: Principal): Promise<ExecutionResult> {
    const data = this.policy.toJobData(dto, owner);
    try {
      return queuedResult(await this.queue.enqueue(data, owner.quotas.maxInFlight), data);
    } catch (error) {
      if (error instanceof InFlightLimitError) throw new TooManyRequestsException(error.message, IN_FLIGHT_RETRY_AFTER_SECONDS);
      throw error;
    }
  }

  async get(id: string, owner: Principal): Promise<ExecutionResult> {
    const found = UUID.test(id) ? await withRedis(() => this.queue.findWithState(id)) : undefined;
    if (found) {
      if (found.job.data.ownerKeyId === owner.keyId) return toExecutionResult(found.job, found.state);
      throw this.notFound(id);
    }
    const raw = UUID.test(id) ? await withRedis(() => this.redis.client.get(this.redis.keys.cancelledResult(id))) : null;
    const cancelled = raw ? (JSON.parse(raw) as CancelledRecord) : null;
    if (cancelled?.owner === owner.keyId) return cancelled.result;
    throw this.notFound(id);
  }

  /**
   * The result once final, or the latest one when `timeoutMs` runs out first.
   * A completion event carries the outcome, so the common case reads nothing back.
   * Ownership is checked by the first read; `known` may skip it only because it
   * is the owner's own submission.
   */
  async waitForFinal(id: string, owner: Principal, timeoutMs: number, known?: ExecutionResult): Promise<ExecutionResult> {
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
      if (event.kind === 'completed') {
        return { id, createdAt: current.createdAt, ...event.outcome, environment: current.environment };
      }
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
    const { client, keys } = this.redis;
    await withRedis(() => client.set(keys.cancelFlag(id), '1', 'EX', this.resultTtlSeconds));
    if (current.status === 'queued' && (await this.removeQueued(id, owner, current))) return this.get(id, owner);
    await withRedis(() => client.publish(keys.cancelChannel, id));
    const result = await this.waitForFinal(id, owner, CANCEL_SETTLE_MS);
    if (result.status !== 'cancelled') {
      throw new ConflictException(`execution ${id} finished as ${result.status} before it could be cancelled`);
    }
    return result;
  }

  /** A queued job is removed so it never runs; its final result is written first so no reader sees a gap. */
  private async removeQueued(id: string, owner: Principal, current: ExecutionResult): Promise<boolean> {
    const { client, keys } = this.redis;
    const record: CancelledRecord = { owner: owner.keyId, result: { ...current, status: 'cancelled', finishedAt: new Date().toISOString() } };
    await withRedis(() => client.set(keys.cancelledResult(id), JSON.stringify(record), 'EX', this.resultTtlSeconds));
    const job = await this.queue.find(id);
    try {
      await job?.remove();
      await this.fairShare.release(owner.keyId, id).catch(() => undefined); // the queue forgets it lazily otherwise
      this.waiter.wake(id);
      return true;
    } catch {
      await client.del(keys.cancelledResult(id)); // a worker took it meanwhile: cancel it while running instead
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
