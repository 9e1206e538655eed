import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { RedisConnection, redisScript } from '@sps/redis';

/**
 * One event as written. Output (`stdout`, `stderr`) carries the program's
 * bytes as they came, cut only where a character starts, and `range`: where
 * its text lies in the result's stdout or stderr, in UTF-16 units. Other
 * events carry one line of JSON.
 */
export type LiveEvent =
  { event: 'stdout' | 'stderr'; data: Buffer; range: [number, number] } | { event: 'status' | 'display'; data: string };

/**
 * One event as read back, with its place in the stream (1, 2, 3 ... per
 * execution). Output's `text` is its bytes decoded; once the result is
 * stored it is gone, and `range` says where to find it in the result.
 */
export type StoredLiveEvent =
  | { seq: number; event: 'stdout' | 'stderr'; text?: string; range: [number, number] }
  | { seq: number; event: 'status' | 'display'; data: string };

// KEYS: the stream.  Drops the output's bytes of the last attempt (the entries after its last `running` status),
// keeping every entry's id and range: the stored result holds those bytes now. Returns the entries rewritten.
const COMPACT = redisScript(
  'executionEventsCompact',
  1,
  `
local entries = redis.call('XRANGE', KEYS[1], '-', '+')
if #entries == 0 then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
local function field(fields, name)
  for i = 1, #fields, 2 do if fields[i] == name then return fields[i + 1] end end
  return nil
end
local from = 1
for i, entry in ipairs(entries) do
  if field(entry[2], 'event') == 'status' and string.find(field(entry[2], 'data') or '', '"running"', 1, true) then from = i end
end
redis.call('DEL', KEYS[1])
for i, entry in ipairs(entries) do
  local range = field(entry[2], 'range')
  if i > from and range then
    redis.call('XADD', KEYS[1], entry[1], 'event', field(entry[2], 'event'), 'range', range)
  else
    redis.call('XADD', KEYS[1], entry[1], unpack(entry[2]))
  end
end
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return #entries
`,
);

/**
 * The live events of one execution (a job or a session cell), as its worker
 * saw them: one Redis stream per execution, `<prefix>:exec-events:<id>`.
 * - Entries take the ids `0-1`, `0-2` ... (`XADD 0-*`), so a reader's place is
 *   one integer that any API replica understands, and resuming is `XRANGE (0-n`.
 * - Nothing but the worker running the execution appends, and only up to the
 *   job's caps (see LiveOutputBatcher). Output is kept as the bytes the
 *   program wrote, never JSON-escaped, and only until the result is stored:
 *   then `compact` drops them and the entries point into the result, so the
 *   output is held once. It expires with the result (the same TTL, renewed
 *   at each append, the last of which comes before the result is saved).
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
    for (const entry of events) {
      if ('range' in entry)
        pipeline.xadd(key, '0-*', 'event', entry.event, 'range', entry.range.join(','), 'data', entry.data);
      else pipeline.xadd(key, '0-*', 'event', entry.event, 'data', entry.data);
    }
    pipeline.expire(key, this.ttlSeconds).publish(this.channel(id), 'appended');
    const replies = await pipeline.exec();
    for (const [error] of replies ?? []) if (error) throw error;
  }

  /** Once the result is stored: the output's bytes go, its entries stay (see COMPACT). */
  async compact(id: string): Promise<void> {
    await this.redis.run(COMPACT, [this.keyOf(id)]);
  }

  /** At most `count` events after `afterSeq` (0 for all), oldest first. */
  async after(id: string, afterSeq: number, count: number): Promise<StoredLiveEvent[]> {
    const entries = await this.redis.client.xrange(this.keyOf(id), `(0-${afterSeq}`, '+', 'COUNT', count);
    return entries.flatMap(([entryId, fields]): StoredLiveEvent[] => {
      const seq = Number(entryId.slice(entryId.indexOf('-') + 1));
      const event = fieldOf(fields, 'event');
      const data = fieldOf(fields, 'data');
      if (event === 'stdout' || event === 'stderr') {
        const [from, to] = (fieldOf(fields, 'range') ?? '').split(',').map(Number);
        if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return [];
        // Bytes cut where characters start decode alone exactly as within the whole.
        return [{ seq, event, text: data, range: [from, to] }];
      }
      return (event === 'status' || event === 'display') && data !== undefined ? [{ seq, event, data }] : [];
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
