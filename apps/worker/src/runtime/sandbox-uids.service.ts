import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, UidRange } from '@sps/config';
import { RedisConnection, redisScript } from '@sps/redis';
import { ContainerRuntime, SANDBOX_LABELS } from '@sps/sandbox';
import { randomInt, randomUUID } from 'node:crypto';

/** Every uid of the range is leased to a container on this engine: the job waits for one to come free. */
export class NoFreeUidError extends Error {
  constructor() {
    super('every sandbox uid of this worker host is in use: try again shortly');
  }
}

// KEYS: the leases (uid -> expiry, ms), their holders (uid -> token).
// ARGV: first and last uid of the range, where to start looking, lease duration (ms), the holder's token.
// Drops lapsed leases, then takes the first free uid from the start offset on, wrapping around.
// A free uid is found within (uids leased) + 1 probes, so the walk never covers a huge range.
const LEASE = redisScript(
  'sandboxUidLease',
  2,
  `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for _, uid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('ZREM', KEYS[1], uid)
  redis.call('HDEL', KEYS[2], uid)
end
local first, last, start = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local size = last - first + 1
local probes = math.min(size, redis.call('ZCARD', KEYS[1]) + 1)
for i = 0, probes - 1 do
  local uid = tostring(first + (start + i) % size)
  if not redis.call('ZSCORE', KEYS[1], uid) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), uid)
    redis.call('HSET', KEYS[2], uid, ARGV[5])
    return tonumber(uid)
  end
end
return -1
`,
);

// KEYS: the leases, their holders.  ARGV: uid, the holder's token. Only the holder may end a lease.
const RELEASE = redisScript(
  'sandboxUidRelease',
  2,
  `
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`,
);

/**
 * Leases each sandbox container a uid of SANDBOX_UID_RANGE of its own, so no
 * two containers on one engine ever run as the same user: the kernel's
 * per-user limits (processes, inotify instances, pipe buffers) are then each
 * job's own, and a kernel escape lands as a uid no other job has. Leases are
 * kept in Redis per engine, like the build lock, because every worker process
 * on a host shares the engine. A lease is taken when a container's spec is
 * made and ended once the container is removed; one whose holder died lapses
 * when the container can no longer exist: its deadline, plus the reaper's grace
 * and one reaper pass.
 */
@Injectable()
export class SandboxUids {
  private readonly logger = new Logger(SandboxUids.name);
  private readonly range: UidRange;
  private readonly reaperMarginMs: number;
  private readonly workerId: string;
  /** The leases this process holds: uid -> token. */
  private readonly held = new Map<number, string>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly runtime: ContainerRuntime,
    config: ConfigService<AppConfig, true>,
  ) {
    this.range = config.get('sandbox.uidRange', { infer: true });
    const worker = config.get('worker', { infer: true });
    this.reaperMarginMs = worker.reaperDeadlineGraceMs + worker.reaperIntervalMs;
    this.workerId = worker.id;
  }

  /** A uid no other container on this engine has, for a container that may live `lifetimeMs`. */
  async lease(lifetimeMs: number): Promise<number> {
    const token = `${this.workerId}:${randomUUID()}`;
    const { first, last } = this.range;
    // A random start spreads jobs over the range, so a uid is seldom reused soon after its last job.
    const uid = Number(
      await this.redis.run(LEASE, await this.keys(), [
        first,
        last,
        randomInt(last - first + 1),
        lifetimeMs + this.reaperMarginMs,
        token,
      ]),
    );
    if (uid < 0) throw new NoFreeUidError();
    this.held.set(uid, token);
    return uid;
  }

  /** Ends the lease of a removed container (its uid label says which); a lease this process does not hold is left alone. */
  release(labels: Record<string, string> | undefined): void {
    const uid = Number(labels?.[SANDBOX_LABELS.uid]);
    const token = this.held.get(uid);
    if (token === undefined) return;
    this.held.delete(uid);
    void this.keys()
      .then((keys) => this.redis.run(RELEASE, keys, [uid, token]))
      .catch((error: Error) => this.logger.warn(`uid ${uid} stays leased until it lapses: ${error.message}`));
  }

  private async keys(): Promise<string[]> {
    const engine = await this.runtime.engineId();
    return [this.redis.key('sandbox-uids', engine), this.redis.key('sandbox-uids', engine, 'holders')];
  }
}
