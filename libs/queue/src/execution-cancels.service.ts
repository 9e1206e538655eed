import { Injectable } from '@nestjs/common';
import { RedisConnection, RedisSubscription } from '@sps/redis';
import { ExecutionStore } from './execution-store.service';

/**
 * The Redis side of cancelling an execution, shared by the API (which asks)
 * and the worker running the job (which stops it). A flag covers a cancel
 * that lands before the worker watches for one; a message reaches a job
 * already running. The flag lives with the execution's other keys and expires with them.
 */
@Injectable()
export class ExecutionCancels {
  private readonly channel: string;

  constructor(
    private readonly redis: RedisConnection,
    private readonly store: ExecutionStore,
  ) {
    this.channel = redis.key('cancel');
  }

  /** Flags `id` as cancelled: a worker that takes it from now on does not run it. */
  async request(id: string): Promise<void> {
    await this.redis.client.set(this.store.key(id, 'cancel'), '1', 'EX', this.store.ttlSeconds);
  }

  /** Tells whichever worker runs `id` to stop it. */
  async notify(id: string): Promise<void> {
    await this.redis.client.publish(this.channel, id);
  }

  async isRequested(id: string): Promise<boolean> {
    return (await this.redis.client.exists(this.store.key(id, 'cancel'))) === 1;
  }

  /** Calls `onCancel` with the id of every job whose cancel is requested from now on. */
  listen(onCancel: (id: string) => void): Promise<RedisSubscription> {
    return this.redis.subscribe(this.channel, onCancel);
  }
}
