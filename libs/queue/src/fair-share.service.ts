import { Injectable } from '@nestjs/common';
import { RedisConnection, redisScript } from '@sps/redis';

/**
 * Fair share between API keys, as start-time fair queuing on BullMQ priorities.
 *
 * Every admitted execution gets a "round": one more than its key's previous
 * round, but never behind the round workers are serving now (the clock). BullMQ
 * starts the lowest priority first, and the round is the priority, so a key's
 * n-th waiting job runs in round n: a key with 200 jobs queued gets one job per
 * round like everyone else, and a newcomer's first job runs in the very next
 * round instead of after the 200. Within one key, jobs keep their order.
 *
 * A key can be at most as many rounds ahead of the clock as it has jobs in
 * flight; that bound keeps rounds small after the clock is reset and makes a
 * stale round (a key whose jobs were cancelled) harmless.
 */
export const PRIORITY_LIMIT = 2 ** 21 - 1; // BullMQ's largest priority
/** Past this, the clock is reset the next time the queue has nothing waiting. */
export const CLOCK_RESET_AT = 2 ** 20;
/** In-flight bookkeeping of a key with no activity for this long is dropped. */
const IN_FLIGHT_TTL_SECONDS = 7 * 24 * 3600;

/** The round a new job of a key gets; the Lua script below is this function, atomically. */
export const nextFairRound = ({ last, clock, inFlight }: { last: number; clock: number; inFlight: number }): number =>
  Math.min(Math.min(Math.max(last, clock), clock + inFlight) + 1, PRIORITY_LIMIT);

// KEYS: in-flight set, key round, clock.  ARGV: max in flight, now (ms), ttl (s), priority limit, then the job ids.
// Returns each job's round, in order, or an empty list when they would take the key past its maximum in flight:
// all of them are admitted, or none.
const ADMIT = redisScript(
  'fairShareAdmit',
  3,
  `
local inflight = redis.call('ZCARD', KEYS[1])
if inflight + #ARGV - 4 > tonumber(ARGV[1]) then return {} end
local clock = tonumber(redis.call('GET', KEYS[3]) or '0')
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local rounds = {}
for i = 5, #ARGV do
  last = math.min(math.min(math.max(last, clock), clock + inflight) + 1, tonumber(ARGV[4]))
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i])
  inflight = inflight + 1
  rounds[#rounds + 1] = last
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], last, 'EX', ARGV[3])
return rounds
`,
);

// KEYS: clock.  ARGV: round of the job that started.
const ADVANCE = redisScript(
  'fairShareAdvance',
  1,
  `
local clock = tonumber(redis.call('GET', KEYS[1]) or '0')
local round = tonumber(ARGV[1])
if round > clock then redis.call('SET', KEYS[1], round) return round end
return clock
`,
);

// KEYS: clock.  ARGV: the value seen; resets only if nobody moved it meanwhile.
const RESET = redisScript(
  'fairShareReset',
  1,
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0
`,
);

/** The Redis side of fair share and of the per-key limit on executions in flight. */
@Injectable()
export class FairShare {
  constructor(private readonly redis: RedisConnection) {}

  /** Sorted set of the ids of a key's queued and running executions, scored by admission time. */
  private inFlightKey(keyId: string): string {
    return this.redis.key('inflight', keyId);
  }

  /** The fair-share round of a key's most recently admitted execution. */
  private roundKey(keyId: string): string {
    return this.redis.key('fair', 'round', keyId);
  }

  /** The fair-share round of the execution a worker started most recently. */
  private get clockKey(): string {
    return this.redis.key('fair', 'clock');
  }

  /**
   * Reserves places for `jobIds` among `owner`'s executions in flight and
   * returns their priorities, in order, or null when they would take the key
   * past `maxInFlight`: all or none. Check and reservation are one atomic
   * step, so API replicas agree.
   */
  async admit(owner: string, jobIds: string[], maxInFlight: number): Promise<number[] | null> {
    const rounds = (await this.redis.run(
      ADMIT,
      [this.inFlightKey(owner), this.roundKey(owner), this.clockKey],
      [maxInFlight, Date.now(), IN_FLIGHT_TTL_SECONDS, PRIORITY_LIMIT, ...jobIds],
    )) as number[];
    return rounds.length === jobIds.length && rounds.length > 0 ? rounds : null;
  }

  /** The execution is final (or was never queued): it no longer counts against its key. */
  async release(owner: string, ...jobIds: string[]): Promise<void> {
    await this.redis.client.zrem(this.inFlightKey(owner), ...jobIds);
  }

  /** The executions counted as in flight for `owner`, with when each was admitted (epoch ms). */
  async inFlight(owner: string): Promise<{ id: string; admittedAt: number }[]> {
    const flat = await this.redis.client.zrange(this.inFlightKey(owner), '0', '-1', 'WITHSCORES');
    const entries: { id: string; admittedAt: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) entries.push({ id: flat[i], admittedAt: Number(flat[i + 1]) });
    return entries;
  }

  /**
   * A worker started a job of this round. Once the clock is high and nothing
   * waits, it starts again from zero, so priorities stay within BullMQ's range.
   */
  async started(round: number, waitingCount: () => Promise<number>): Promise<void> {
    const clock = (await this.redis.run(ADVANCE, [this.clockKey], [round])) as number;
    if (clock >= CLOCK_RESET_AT && (await waitingCount()) === 0) {
      await this.redis.run(RESET, [this.clockKey], [clock]);
    }
  }
}
