import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { RedisConnection } from '@sps/redis';

/** Far enough in the future (ms) that every creation time is below it: 13 digits until the year 2286. */
const TIME_CEILING = 9_999_999_999_999;
/** A history entry: newest first in byte order, then by id, so every entry has its own place. */
const ENTRY = /^\d{13}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A key's history outlives its newest result by this much: a job may wait in the queue before its result is stored. */
const QUEUE_SLACK_SECONDS = 24 * 3600;
/** An entry is written just before its job is queued: one this young whose job is nowhere may be on its way. */
const ENTRY_GRACE_MS = 5000;
/** Entries one prune looks at per key, oldest first, and history keys it walks per SCAN step. */
const PRUNE_BATCH = 1000;

export const isHistoryCursor = (cursor: string): boolean => ENTRY.test(cursor);

/** The entry of an execution: its creation time counted down from TIME_CEILING, then its id. */
export const historyEntry = (id: string, createdAt: string): string =>
  `${String(TIME_CEILING - Date.parse(createdAt)).padStart(13, '0')}:${id}`;

export const idOfEntry = (entry: string): string => entry.slice(entry.indexOf(':') + 1);

/** When the execution of an entry was created, epoch ms. */
const createdAtOfEntry = (entry: string): number => TIME_CEILING - Number(entry.slice(0, entry.indexOf(':')));

/** Whether an entry whose execution is nowhere is gone for good, rather than one whose job is still being queued. */
export const isPastEntryGrace = (entry: string): boolean => Date.now() - createdAtOfEntry(entry) > ENTRY_GRACE_MS;

/**
 * Each key's executions, newest first: one sorted set per key,
 * `<prefix>:history:<keyId>`, whose members all have the score 0 and sort by
 * their bytes. A member is historyEntry(); a page starts after the last entry
 * of the one before (ZRANGEBYLEX from an exclusive bound), so entries added
 * meanwhile, all newer, land before it and nothing is skipped or repeated.
 * Bounded to `maxHistoryEntries` per key (the oldest go first); entries whose
 * result has expired or was deleted are dropped as they are met (forget()),
 * and by the retention sweep (pruneGone()), so no id outlives its result.
 */
@Injectable()
export class ExecutionHistory {
  private readonly maxEntries: number;
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: RedisConnection,
    config: ConfigService<AppConfig, true>,
  ) {
    this.maxEntries = config.get('api.maxHistoryEntries', { infer: true });
    this.ttlSeconds = config.get('queue.resultTtlSeconds', { infer: true }) + QUEUE_SLACK_SECONDS;
  }

  private key(owner: string): string {
    return this.redis.key('history', owner);
  }

  async add(owner: string, executions: { id: string; createdAt: string }[]): Promise<void> {
    const key = this.key(owner);
    const members = executions.flatMap(({ id, createdAt }) => [0, historyEntry(id, createdAt)]);
    const replies = await this.redis.client
      .multi()
      .zadd(key, ...members)
      .zremrangebyrank(key, this.maxEntries, -1)
      .expire(key, this.ttlSeconds)
      .exec();
    for (const [error] of replies ?? []) if (error) throw error;
  }

  /** Up to `count` entries after `cursor` (an entry; from the newest without one), newest first. */
  async page(owner: string, cursor: string | null, count: number): Promise<string[]> {
    return this.redis.client.zrangebylex(this.key(owner), cursor ? `(${cursor}` : '-', '+', 'LIMIT', 0, count);
  }

  async forget(owner: string, entries: string[]): Promise<void> {
    if (entries.length) await this.redis.client.zrem(this.key(owner), ...entries);
  }

  /**
   * Drops, from every key's history, the oldest entries whose execution is
   * nowhere any more (`exists` answers per id). Entries of long-lived queued
   * jobs stay, since their job still exists.
   */
  async pruneGone(exists: (ids: string[]) => Promise<boolean[]>): Promise<void> {
    const stream = this.redis.client.scanStream({ match: this.key('*'), count: PRUNE_BATCH });
    for await (const keys of stream as AsyncIterable<string[]>) {
      for (const key of keys) {
        const entries = await this.redis.client.zrange(key, String(-PRUNE_BATCH), '-1');
        const old = entries.filter(isPastEntryGrace);
        if (!old.length) continue;
        const alive = await exists(old.map(idOfEntry));
        const gone = old.filter((_, i) => !alive[i]);
        if (gone.length) await this.redis.client.zrem(key, ...gone);
      }
    }
  }
}
