import { Injectable } from '@nestjs/common';
import { RedisConnection } from './redis-connection.service';
import type { WorkerHeartbeat } from './worker-heartbeat';

/** Heartbeats in Redis: a hash of the latest report per worker, and a sorted set of when each was seen. */
@Injectable()
export class WorkerRegistry {
  constructor(private readonly redis: RedisConnection) {}

  async publish(heartbeat: WorkerHeartbeat): Promise<void> {
    const { client, keys } = this.redis;
    await client
      .multi()
      .hset(keys.workers, heartbeat.id, JSON.stringify(heartbeat))
      .zadd(keys.workersSeen, Date.parse(heartbeat.lastSeen), heartbeat.id)
      .exec();
  }

  async remove(id: string): Promise<void> {
    const { client, keys } = this.redis;
    await client.multi().hdel(keys.workers, id).zrem(keys.workersSeen, id).exec();
  }

  /** Workers seen within `ttlMs`; entries gone for an hour are pruned on the way. */
  async live(ttlMs: number, now = Date.now()): Promise<WorkerHeartbeat[]> {
    const { client, keys } = this.redis;
    const stale = await client.zrangebyscore(keys.workersSeen, 0, now - 3_600_000);
    if (stale.length) await client.multi().zrem(keys.workersSeen, ...stale).hdel(keys.workers, ...stale).exec();
    const ids = await client.zrangebyscore(keys.workersSeen, now - ttlMs, '+inf');
    if (!ids.length) return [];
    const reports = await client.hmget(keys.workers, ...ids);
    return reports.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as WorkerHeartbeat);
  }
}
