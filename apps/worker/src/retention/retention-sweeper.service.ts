import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ExecutionHistory, ExecutionQueue, ExecutionStore } from '@sps/queue';
import { RedisConnection } from '@sps/redis';

/** How many finished jobs one sweep removes from each set at most. */
const CLEAN_BATCH = 1000;

/**
 * Makes RESULT_TTL_SECONDS true of everything an execution leaves in Redis,
 * on a quiet deployment too. Its own keys expire by themselves (each is
 * written with its expiry); what is swept here is what has no expiry of its
 * own: BullMQ job records of finished jobs (results stored before this
 * version, or a removal that failed), the entries of BullMQ's events stream,
 * the storage ledgers' entries for expired results, and history entries of
 * executions that are gone. One worker sweeps per
 * interval, whichever takes the lease.
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionSweeper.name);
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly redis: RedisConnection,
    private readonly store: ExecutionStore,
    private readonly executions: ExecutionQueue,
    private readonly history: ExecutionHistory,
  ) {
    // A quarter of the lifetime: nothing outlives it by more than that.
    this.intervalMs = Math.min(60_000, Math.max(1000, (store.ttlSeconds * 1000) / 4));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((error: Error) => this.logger.warn(`retention sweep failed: ${error.message}`))
        .finally(() => (this.sweeping = null));
    }, this.intervalMs);
  }

  async sweep(): Promise<void> {
    const lease = await this.redis.client.set(this.redis.key('retention', 'lease'), '1', 'PX', this.intervalMs, 'NX');
    if (lease !== 'OK') return;
    const ttlMs = this.store.ttlSeconds * 1000;
    const { queue } = this.executions;
    await queue.clean(ttlMs, CLEAN_BATCH, 'completed');
    await queue.clean(ttlMs, CLEAN_BATCH, 'failed');
    // Stream ids start with their time in ms: everything older than the lifetime goes, whatever the stream's length.
    await this.redis.client.xtrim(queue.keys.events, 'MINID', `${Date.now() - ttlMs}-0`);
    await this.store.pruneLedgers();
    await this.history.pruneGone((ids) => this.stillKnown(ids));
  }

  /** Whether each execution still has a stored result or a job in the queue. */
  private async stillKnown(ids: string[]): Promise<boolean[]> {
    const pipeline = this.redis.client.pipeline();
    for (const id of ids) pipeline.exists(this.store.key(id, 'record'), this.executions.queue.toKey(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, count]) => error !== null || Number(count) > 0);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }
}
