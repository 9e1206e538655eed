import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  ExecutionQueue,
  ExecutionResult,
  isFinalStatus,
  queuedResult,
  RedisConnection,
  toExecutionResult,
  withRedis,
} from '@sps/queue';
import type { CreateExecutionDto } from './dto/create-execution.dto';
import { ExecutionRequestPolicy } from './execution-request.policy';
import { ExecutionWaiter } from './execution-waiter.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CANCEL_SETTLE_MS = 5000;

@Injectable()
export class ExecutionsService {
  private readonly resultTtlSeconds: number;

  constructor(
    private readonly policy: ExecutionRequestPolicy,
    private readonly queue: ExecutionQueue,
    private readonly waiter: ExecutionWaiter,
    private readonly redis: RedisConnection,
    config: ConfigService<AppConfig, true>,
  ) {
    this.resultTtlSeconds = config.get('queue.resultTtlSeconds', { infer: true });
  }

  /** Queues the job; the answer is its result as of now, built here rather than read back. */
  async submit(dto: CreateExecutionDto): Promise<ExecutionResult> {
    const data = this.policy.toJobData(dto);
    const id = await this.queue.enqueue(data);
    return queuedResult(id, data);
  }

  async get(id: string): Promise<ExecutionResult> {
    const found = UUID.test(id) ? await withRedis(() => this.queue.findWithState(id)) : undefined;
    if (found) return toExecutionResult(found.job, found.state);
    const cancelled = UUID.test(id) ? await withRedis(() => this.redis.client.get(this.redis.keys.cancelledResult(id))) : null;
    if (cancelled) return JSON.parse(cancelled) as ExecutionResult;
    throw new NotFoundException(
      `execution ${id} not found: it never existed, or its result has expired (results are kept ${this.resultTtlSeconds} s)`,
    );
  }

  /**
   * The result once final, or the latest one when `timeoutMs` runs out first.
   * A completion event carries the outcome, so the common case reads nothing back.
   */
  async waitForFinal(id: string, timeoutMs: number, known?: ExecutionResult): Promise<ExecutionResult> {
    const deadline = Date.now() + timeoutMs;
    let next = this.waiter.nextEvent(id, timeoutMs); // registered before reading: no lost wake-up
    let current: ExecutionResult;
    try {
      current = known ?? (await this.get(id));
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
      current = await this.get(id).catch((error) => {
        next.cancel();
        throw error;
      });
    }
    next.cancel();
    return current;
  }

  async cancel(id: string): Promise<ExecutionResult> {
    const current = await this.get(id);
    if (isFinalStatus(current.status)) throw new ConflictException(`execution ${id} is already ${current.status}`);
    const { client, keys } = this.redis;
    await withRedis(() => client.set(keys.cancelFlag(id), '1', 'EX', this.resultTtlSeconds));
    if (current.status === 'queued' && (await this.removeQueued(id, current))) return this.get(id);
    await withRedis(() => client.publish(keys.cancelChannel, id));
    const result = await this.waitForFinal(id, CANCEL_SETTLE_MS);
    if (result.status !== 'cancelled') {
      throw new ConflictException(`execution ${id} finished as ${result.status} before it could be cancelled`);
    }
    return result;
  }

  /** A queued job is removed so it never runs; its final result is written first so no reader sees a gap. */
  private async removeQueued(id: string, current: ExecutionResult): Promise<boolean> {
    const { client, keys } = this.redis;
    const record: ExecutionResult = { ...current, status: 'cancelled', finishedAt: new Date().toISOString() };
    await withRedis(() => client.set(keys.cancelledResult(id), JSON.stringify(record), 'EX', this.resultTtlSeconds));
    const job = await this.queue.find(id);
    try {
      await job?.remove();
      this.waiter.wake(id);
      return true;
    } catch {
      await client.del(keys.cancelledResult(id)); // a worker took it meanwhile: cancel it while running instead
      return false;
    }
  }
}
