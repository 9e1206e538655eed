import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { RedisConnection, RedisSubscription } from '@sps/redis';
import type { ExecutionResult } from './execution.types';

/** A job cancelled while queued is removed from the queue; its result is kept with its owner. */
export interface CancelledRecord {
  owner: string;
  result: ExecutionResult;
}

/**
 * The Redis side of cancelling an execution, shared by the API (which asks)
 * and the worker running the job (which stops it). A flag covers a cancel
 * that lands between dequeue and start; a message reaches a job already running.
 * Everything kept lives as long as results do.
 */
@Injectable()
export class ExecutionCancels {
  private readonly ttlSeconds: number;
  private readonly channel: string;

  constructor(
    private readonly redis: RedisConnection,
    config: ConfigService<AppConfig, true>,
  ) {
    this.ttlSeconds = config.get('queue.resultTtlSeconds', { infer: true });
    this.channel = redis.key('cancel');
  }

  /** Flags `id` as cancelled: a worker that takes it from now on does not run it. */
  async request(id: string): Promise<void> {
    await this.redis.client.set(this.flagKey(id), '1', 'EX', this.ttlSeconds);
  }

  /** Tells whichever worker runs `id` to stop it. */
  async notify(id: string): Promise<void> {
    await this.redis.client.publish(this.channel, id);
  }

  async isRequested(id: string): Promise<boolean> {
    return (await this.redis.client.exists(this.flagKey(id))) === 1;
  }

  /** Calls `onCancel` with the id of every job whose cancel is requested from now on. */
  listen(onCancel: (id: string) => void): Promise<RedisSubscription> {
    return this.redis.subscribe(this.channel, onCancel);
  }

  async keepResult(id: string, record: CancelledRecord): Promise<void> {
    await this.redis.client.set(this.resultKey(id), JSON.stringify(record), 'EX', this.ttlSeconds);
  }

  async resultOf(id: string): Promise<CancelledRecord | null> {
    const raw = await this.redis.client.get(this.resultKey(id));
    return raw ? (JSON.parse(raw) as CancelledRecord) : null;
  }

  async dropResult(id: string): Promise<void> {
    await this.redis.client.del(this.resultKey(id));
  }

  private flagKey(id: string): string {
    return this.redis.key('cancel', id);
  }

  /** The final result of a job cancelled while still queued (its job is removed). */
  private resultKey(id: string): string {
    return this.redis.key('cancelled', id);
  }
}
