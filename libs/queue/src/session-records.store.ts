import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, SandboxLimits } from '@sps/config';
import { RedisConnection, redisScript, RedisSubscription } from '@sps/redis';
import { isOpenSession, nextExpiry, SessionRecord, SessionStatus } from './session.types';
import { WorkerRegistry } from './worker-registry.service';

/** The newest sessions of a key that its listing remembers, ended ones included. */
const HISTORY_LENGTH = 100;

// KEYS: record, the key's open sessions, the key's history, the worker's sessions, workers with a session queue, expiries.
// ARGV: id, max open sessions, record ttl, next expiry (ms), created (ms), worker id, then the record's fields.
const ADMIT = redisScript(
  'sessionAdmit',
  6,
  `
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -${HISTORY_LENGTH + 1})
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[5], 'NX', ARGV[5], ARGV[6])
redis.call('ZADD', KEYS[6], ARGV[4], ARGV[1])
return 1
`,
);

// KEYS: record, the key's open sessions, the worker's sessions, expiries.
// ARGV: id, status, reason, ended at, ttl. Ends an open session; returns the status it had.
const END = redisScript(
  'sessionEnd',
  4,
  `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'starting' and status ~= 'ready' and status ~= 'busy' then return status or false end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'reason', ARGV[3], 'endedAt', ARGV[4], 'pending', 0)
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return status
`,
);

// KEYS: record. ARGV: the statuses it may have now (comma-separated), the new status, then fields to set.
// Changes an open session only; returns 1 when it did.
const MOVE = redisScript(
  'sessionMove',
  1,
  `
local status = redis.call('HGET', KEYS[1], 'status')
if not status or not string.find(',' .. ARGV[1] .. ',', ',' .. status .. ',', 1, true) then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], unpack(ARGV, 3))
return 1
`,
);

// KEYS: record, when each worker was last seen. ARGV: owner, most cells queued or running, seen since (ms).
// Admits one more cell: {'ok', worker, environment, limits}, or {why not}: 'missing' for another key's session or
// none, 'stale' when its worker has not been seen since then, 'full', or the status.
const ADMIT_CELL = redisScript(
  'sessionAdmitCell',
  2,
  `
local f = redis.call('HMGET', KEYS[1], 'ownerKeyId', 'status', 'pending', 'workerId', 'environment', 'limits')
if not f[1] or f[1] ~= ARGV[1] then return {'missing'} end
if f[2] ~= 'ready' and f[2] ~= 'busy' then return {f[2]} end
local seen = redis.call('ZSCORE', KEYS[2], f[4])
if not seen or tonumber(seen) < tonumber(ARGV[3]) then return {'stale'} end
if tonumber(f[3] or '0') >= tonumber(ARGV[2]) then return {'full'} end
redis.call('HINCRBY', KEYS[1], 'pending', 1)
return {'ok', f[4], f[5], f[6]}
`,
);

// KEYS: record, expiries. ARGV: id, status now (ready or busy), last used, idle expiry, next expiry (ms), memory.
// A cell ended: one fewer pending, one more run, and the idle clock starts again.
const CELL_DONE = redisScript(
  'sessionCellDone',
  2,
  `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'ready' and status ~= 'busy' then return 0 end
local pending = tonumber(redis.call('HGET', KEYS[1], 'pending') or '0')
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'pending', math.max(0, pending - 1), 'lastUsedAt', ARGV[3],
  'idleExpiresAt', ARGV[4], 'memoryBytes', ARGV[6])
redis.call('HINCRBY', KEYS[1], 'executionCount', 1)
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
return 1
`,
);

/** What admitting a cell found: the session's worker, environment and limits, or why it was not admitted. */
export type CellAdmission =
  | { admitted: true; workerId: string; environment: string; limits: SandboxLimits }
  | { admitted: false; refusal: 'missing' | 'stale' | 'full' | SessionStatus };

const NUMBER_FIELDS = ['idleTimeoutSeconds', 'maxLifetimeSeconds', 'executionCount', 'pending'] as const;

const toFields = (record: SessionRecord): string[] =>
  Object.entries(record).flatMap(([name, value]) =>
    value === null ? [] : [name, typeof value === 'object' ? JSON.stringify(value) : String(value)],
  );

const fromFields = (fields: Record<string, string>): SessionRecord | null => {
  if (!fields.id) return null;
  const record = { ...fields } as unknown as Record<string, unknown>;
  for (const name of NUMBER_FIELDS) record[name] = Number(fields[name] ?? 0);
  record.memoryBytes = fields.memoryBytes === undefined ? null : Number(fields.memoryBytes);
  record.limits = JSON.parse(fields.limits) as unknown;
  for (const name of ['reason', 'containerId', 'endedAt', 'containerRemovedAt']) record[name] = fields[name] ?? null;
  return record as unknown as SessionRecord;
};

/**
 * Sessions in Redis, shared by every API replica and the workers: a hash per
 * session, and the indexes its lifecycle keeps up to date in the same
 * scripts: each key's open sessions (its quota) and recent ones (its
 * listing), each worker's open sessions, the workers with a session queue, and when
 * each open session expires next. Every change is published on one channel,
 * with the session's id, for whoever waits on it.
 */
@Injectable()
export class SessionRecords {
  /** Pub/sub channel: the id of every session, cell or file request that changed. */
  readonly channel: string;
  private readonly workers: string;
  private readonly expiries: string;
  private readonly retentionSeconds: number;

  /** When each worker was last seen (WorkerRegistry's), read by the cell admission script. */
  private readonly seen: string;

  constructor(
    private readonly redis: RedisConnection,
    workers: WorkerRegistry,
    config: ConfigService<AppConfig, true>,
  ) {
    this.seen = workers.seen;
    this.channel = redis.key('sessions', 'events');
    this.workers = redis.key('sessions', 'workers');
    this.expiries = redis.key('sessions', 'expiries');
    this.retentionSeconds = config.get('queue.resultTtlSeconds', { infer: true });
  }

  private recordKey(id: string): string {
    return this.redis.key('session', id);
  }

  private openOf(keyId: string): string {
    return this.redis.key('sessions', 'open', keyId);
  }

  private historyOf(keyId: string): string {
    return this.redis.key('sessions', 'history', keyId);
  }

  private ownedBy(workerId: string): string {
    return this.redis.key('sessions', 'worker', workerId);
  }

  /** Stores a new session if its key has fewer than `maxSessions` open; false when it has that many. */
  async admit(record: SessionRecord, maxSessions: number): Promise<boolean> {
    const ttl = record.maxLifetimeSeconds + this.retentionSeconds;
    const admitted = await this.redis.run(
      ADMIT,
      [
        this.recordKey(record.id),
        this.openOf(record.ownerKeyId),
        this.historyOf(record.ownerKeyId),
        this.ownedBy(record.workerId),
        this.workers,
        this.expiries,
      ],
      [
        record.id,
        maxSessions,
        ttl,
        nextExpiry(record),
        Date.parse(record.createdAt),
        record.workerId,
        ...toFields(record),
      ],
    );
    return admitted === 1;
  }

  async get(id: string): Promise<SessionRecord | null> {
    return fromFields(await this.redis.client.hgetall(this.recordKey(id)));
  }

  /** The key's sessions, newest first: the open ones and those ended within the retention time. */
  async listOf(keyId: string): Promise<SessionRecord[]> {
    const ids = await this.redis.client.zrevrange(this.historyOf(keyId), 0, HISTORY_LENGTH - 1);
    if (!ids.length) return [];
    const pipeline = this.redis.client.pipeline();
    for (const id of ids) pipeline.hgetall(this.recordKey(id));
    const replies = (await pipeline.exec()) ?? [];
    const records = replies.map(([, fields]) => fromFields((fields ?? {}) as Record<string, string>));
    const gone = ids.filter((_, i) => !records[i]);
    if (gone.length) await this.redis.client.zrem(this.historyOf(keyId), ...gone);
    return records.filter((r): r is SessionRecord => r !== null && r.ownerKeyId === keyId);
  }

  /** Ids of the key's open sessions, as its quota counts them. */
  openIdsOf(keyId: string): Promise<string[]> {
    return this.redis.client.smembers(this.openOf(keyId));
  }

  /** Drops an id the quota counts whose record is gone. */
  async forgetOpen(keyId: string, id: string): Promise<void> {
    await this.redis.client.srem(this.openOf(keyId), id);
  }

  /**
   * Ends an open session as closed, dead or lost, with the reason callers get
   * with their 410. Returns the status it had, or null when it was not open
   * (already ended, or gone).
   */
  async end(record: SessionRecord, status: 'closed' | 'dead' | 'lost', reason: string): Promise<SessionStatus | null> {
    const previous = (await this.redis.run(
      END,
      [this.recordKey(record.id), this.openOf(record.ownerKeyId), this.ownedBy(record.workerId), this.expiries],
      [record.id, status, reason, new Date().toISOString(), this.retentionSeconds],
    )) as SessionStatus | null;
    await this.publish(record.id);
    return previous && isOpenSession(previous) ? previous : null;
  }

  /** Changes the status of a session that has one of `from`, with other fields; false when it had none of them. */
  async move(
    id: string,
    from: SessionStatus[],
    to: SessionStatus,
    fields: Partial<Record<'containerId' | 'memoryBytes', string | number>> = {},
  ): Promise<boolean> {
    const flat = Object.entries(fields).flatMap(([name, value]) => [name, String(value)]);
    const moved = await this.redis.run(MOVE, [this.recordKey(id)], [from.join(','), to, ...flat]);
    if (moved === 1 && to !== 'busy') await this.publish(id);
    return moved === 1;
  }

  /**
   * Counts one more cell against the session's queue, for its owner only, and
   * only while its worker has been seen since `seenSince` (ms): in one step,
   * which is all a cell costs before it is sent.
   */
  async admitCell(id: string, ownerKeyId: string, maxQueued: number, seenSince: number): Promise<CellAdmission> {
    const [answer, workerId, environment, limits] = (await this.redis.run(
      ADMIT_CELL,
      [this.recordKey(id), this.seen],
      [ownerKeyId, maxQueued, seenSince],
    )) as string[];
    if (answer !== 'ok') return { admitted: false, refusal: answer as 'missing' };
    return { admitted: true, workerId, environment, limits: JSON.parse(limits) as SandboxLimits };
  }

  /** A session's status and why, in one read; null when it is gone. */
  async statusOf(id: string): Promise<Pick<SessionRecord, 'status' | 'reason' | 'endedAt'> | null> {
    const [status, reason, endedAt] = await this.redis.client.hmget(this.recordKey(id), 'status', 'reason', 'endedAt');
    return status ? { status: status as SessionStatus, reason, endedAt } : null;
  }

  /** Takes back a cell admitted but never queued. */
  async releaseCell(id: string): Promise<void> {
    await this.redis.client.hincrby(this.recordKey(id), 'pending', -1);
  }

  /** A cell ended: the session is `status` now (busy when another cell waits), and idle from `at`. */
  async cellDone(
    record: Pick<SessionRecord, 'id' | 'expiresAt' | 'idleTimeoutSeconds'>,
    status: 'ready' | 'busy',
    at: Date,
    memoryBytes: number,
  ): Promise<void> {
    const idleExpiresAt = new Date(at.getTime() + record.idleTimeoutSeconds * 1000).toISOString();
    await this.redis.run(
      CELL_DONE,
      [this.recordKey(record.id), this.expiries],
      [
        record.id,
        status,
        at.toISOString(),
        idleExpiresAt,
        nextExpiry({ idleExpiresAt, expiresAt: record.expiresAt }),
        memoryBytes,
      ],
    );
  }

  /** The worker removed the container of an ended session. */
  async markRemoved(id: string): Promise<void> {
    await this.redis.client.hset(this.recordKey(id), 'containerRemovedAt', new Date().toISOString());
    await this.publish(id);
  }

  async setMemory(id: string, memoryBytes: number): Promise<void> {
    await this.redis.client.hset(this.recordKey(id), 'memoryBytes', memoryBytes);
  }

  /** Ids of the sessions `workerId` holds open. */
  ownedIds(workerId: string): Promise<string[]> {
    return this.redis.client.smembers(this.ownedBy(workerId));
  }

  /** How many sessions each of `workerIds` holds open now. */
  async openCounts(workerIds: string[]): Promise<number[]> {
    if (!workerIds.length) return [];
    const pipeline = this.redis.client.pipeline();
    for (const id of workerIds) pipeline.scard(this.ownedBy(id));
    return ((await pipeline.exec()) ?? []).map(([, count]) => Number(count ?? 0));
  }

  /** A worker that consumes a session queue from now on: if it dies, another worker's reaper removes the queue. */
  async registerWorker(workerId: string): Promise<void> {
    await this.redis.client.zadd(this.workers, 'NX', Date.now(), workerId);
  }

  /** Workers registered with a session queue before `before` (ms): younger ones may not have sent a heartbeat yet. */
  registeredWorkers(before: number): Promise<string[]> {
    return this.redis.client.zrangebyscore(this.workers, '-inf', before);
  }

  /** Forgets a worker whose session queue is gone. */
  async forgetWorker(workerId: string): Promise<void> {
    await this.redis.client.zrem(this.workers, workerId);
  }

  /** Open sessions whose idle or lifetime expiry was before `before` (epoch ms). */
  expiredBefore(before: number, limit = 100): Promise<string[]> {
    return this.redis.client.zrangebyscore(this.expiries, '-inf', before, 'LIMIT', 0, limit);
  }

  /** Calls `onId` with the id of every session, cell or file request that changes from now on. */
  subscribe(onId: (id: string) => void): Promise<RedisSubscription> {
    return this.redis.subscribe(this.channel, onId);
  }

  /** Wakes whoever waits on `id` (a session, a cell or a file request). */
  async publish(id: string): Promise<void> {
    await this.redis.client.publish(this.channel, id);
  }
}
