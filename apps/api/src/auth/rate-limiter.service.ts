import { Injectable } from '@nestjs/common';
import { RedisConnection, redisScript } from '@sps/redis';

// GCRA (the generic cell rate algorithm): one number per key, the theoretical
// arrival time of the next request. A full minute's allowance may come as one
// burst; after that, requests are admitted at the steady rate. Redis's own
// clock is used, so API replicas with skewed clocks still agree.
// KEYS: state.  ARGV: emission interval (ms), burst.  Returns -1 when admitted, else ms to wait.
const CONSUME = redisScript(
  'rateLimitConsume',
  1,
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allowAt = tat + interval - interval * tonumber(ARGV[2])
if now < allowAt then return math.ceil(allowAt - now) end
local nextTat = tat + interval
redis.call('SET', KEYS[1], tostring(nextTat), 'PX', math.ceil(nextTat - now) + 1000)
return -1
`,
);

export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until one more request would be admitted. */
  retryAfterMs: number;
}

/** The per-key request rate, held in Redis so that every API replica counts the same requests. */
@Injectable()
export class RateLimiter {
  constructor(private readonly redis: RedisConnection) {}

  async consume(keyId: string, perMinute: number): Promise<RateDecision> {
    // The limiter's state for one key (GCRA: the theoretical arrival time, epoch ms).
    const wait = (await this.redis.run(
      CONSUME,
      [this.redis.key('rate', keyId)],
      [60_000 / perMinute, perMinute],
    )) as number;
    return wait < 0 ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: wait };
  }
}
