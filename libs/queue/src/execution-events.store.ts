import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { RedisConnection } from '@sps/redis';

/** What a running execution's event stream holds, in order; the final `result` is read from its store instead. */
export type LiveEventType = 'status' | 'stdout' | 'stderr' | 'display';
export const LIVE_EVENT_TYPES: readonly LiveEventType[] = ['status', 'stdout', 'stderr', 'display'];

/** One event as written: its type, and its data as one line of JSON. */
export interface LiveEvent {
  event: LiveEventType;
  data: string;
}

/** One event as read back, with its place in the stream (1, 2, 3 ... per execution). */
export interface StoredLiveEvent extends LiveEvent {
  seq: number;
}

/**
 * The live events of one execution (a job or a session cell), as its worker
 * saw them: one Redis stream per execution, `<prefix>:exec-events:<id>`.
 * - Entries take the ids `0-1`, `0-2` ... (`XADD 0-*`), so a reader's place is
 *   one integer that any API replica understands, and resuming is `XRANGE (0-n`.
 * - Nothing but the worker running the execution appends, and only up to the
 *   job's caps (see LiveOutputBatcher), so a stream holds at most about what
 *   its result holds; it expires with the result (the same TTL, renewed at
 *   each append, the last of which comes before the result is saved).
 * - Each append publishes on the execution's own channel, so followers read
 *   only when there is something new.
 */
@Injectable()
export class ExecutionEvents {
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: RedisConnection,
    config: ConfigService<AppConfig, true>,
  ) {
    this.ttlSeconds = config.get('queue.resultTtlSeconds', { infer: true });
  }

  /** Published on at every append. */
  channel(id: string): string {
    return this.redis.key('exec-events', id, 'appended');
  }

  /** Sent before it returns, on the shared connection: what is sent after it there lands after it. */
  async append(id: string, events: LiveEvent[]): Promise<void> {
    if (!events.length) return;
    const key = this.keyOf(id);
    const pipeline = this.redis.client.pipeline();
    for (const { event, data } of events) pipeline.xadd(key, '0-*', 'event', event, 'data', data);
    pipeline.expire(key, this.ttlSeconds).publish(this.channel(id), 'appended');
    const replies = await pipeline.exec();
    for (const [error] of replies ?? []) if (error) throw error;
  }

  /** At most `count` events after `afterSeq` (0 for all), oldest first. */
  async after(id: string, afterSeq: number, count: number): Promise<StoredLiveEvent[]> {
    const entries = await this.redis.client.xrange(this.keyOf(id), `(0-${afterSeq}`, '+', 'COUNT', count);
    return entries.flatMap(([entryId, fields]) => {
      const seq = Number(entryId.slice(entryId.indexOf('-') + 1));
      const [event, data] = [fieldOf(fields, 'event'), fieldOf(fields, 'data')];
      return LIVE_EVENT_TYPES.includes(event as LiveEventType) && data !== undefined
        ? [{ seq, event: event as LiveEventType, data }]
        : [];
    });
  }

  /** The place of the last event (0 when there is none). */
  async lastSeq(id: string): Promise<number> {
    const [last] = await this.redis.client.xrevrange(this.keyOf(id), '+', '-', 'COUNT', 1);
    return last ? Number(last[0].slice(last[0].indexOf('-') + 1)) : 0;
  }

  async remove(id: string): Promise<void> {
    await this.redis.client.del(this.keyOf(id));
  }

  private keyOf(id: string): string {
    return this.redis.key('exec-events', id);
  }
}

const fieldOf = (fields: string[], name: string): string | undefined => {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
};
