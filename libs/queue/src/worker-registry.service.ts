import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@sps/redis';
import type { WorkerHeartbeat } from './worker-heartbeat';

/** Heartbeats in Redis: a hash of the latest report per worker, and a sorted set of when each was seen. */
@Injectable()
export class WorkerRegistry {
  private readonly reports: string;
  /** Sorted set: worker id -> when it was last seen (ms); scripts of other features may read it. */
  readonly seen: string;

  constructor(private readonly redis: RedisConnection) {
    this.reports = redis.key('workers');
    this.seen = redis.key('workers', 'seen');
  }

  async publish(heartbeat: WorkerHeartbeat): Promise<void> {
    await this.redis.client
      .multi()
      .hset(this.reports, heartbeat.id, JSON.stringify(heartbeat))
      .zadd(this.seen, Date.parse(heartbeat.lastSeen), heartbeat.id)
      .exec();
  }

  async remove(id: string): Promise<void> {
    await this.redis.client.multi().hdel(this.reports, id).zrem(this.seen, id).exec();
  }

  /** Whether `id` was seen within `ttlMs`. */
  async isLive(id: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    const seen = await this.redis.client.zscore(this.seen, id);
    return seen !== null && Number(seen) >= now - ttlMs;
  }

  /** Workers seen within `ttlMs`; entries gone for an hour are pruned on the way. */
  async live(ttlMs: number, now = Date.now()): Promise<WorkerHeartbeat[]> {
    const { client } = this.redis;
    const stale = await client.zrangebyscore(this.seen, 0, now - 3_600_000);
    if (stale.length)
      await client
        .multi()
        .zrem(this.seen, ...stale)
        .hdel(this.reports, ...stale)
        .exec();
    const ids = await client.zrangebyscore(this.seen, now - ttlMs, '+inf');
    if (!ids.length) return [];
    const reports = await client.hmget(this.reports, ...ids);
    return reports.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as WorkerHeartbeat);
  }
}
