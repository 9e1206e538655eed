import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { RedisConnection, redisScript } from '@sps/redis';
import { executionResult, type ExecutionIdentity, type StoredReport, withOutput } from './execution-result.builder';
import { NO_OUTPUT, type ExecutionResult, type RunOutput } from './execution.types';
import { WebhookDeliveries } from './webhook-deliveries.store';

/** A final execution as kept in Redis: whose it is, what it was, and how it ended (its bytes are kept beside it). */
interface StoredRecord {
  owner: string;
  identity: ExecutionIdentity;
  report: StoredReport;
}

/** Expired entries one ledger update clears at most, so no single call runs long. */
const PRUNE_BATCH = 500;

// The lines every ledger script shares: Redis's own clock, and dropping the entries of results that have expired.
// KEYS (after the script's own): ledger set (id -> expiry), ledger sizes (id -> bytes), ledger total.
const LEDGER_PRUNE = (first: number) => `
local ledger, sizes, total = KEYS[${first}], KEYS[${first + 1}], KEYS[${first + 2}]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function forget(id)
  local bytes = redis.call('HGET', sizes, id)
  if bytes then redis.call('DECRBY', total, bytes) redis.call('HDEL', sizes, id) end
  redis.call('ZREM', ledger, id)
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', ledger, '-inf', now, 'LIMIT', 0, ${PRUNE_BATCH})) do forget(id) end
`;

// KEYS: record, stdout, stderr, files, ledger, sizes, total, owners.
// ARGV: ttl (s), id, owner, record JSON, stdout, stderr, channel, only-if-absent flag, then file path/content pairs.
// Returns the bytes now held for the execution, or -1 when a record existed and only-if-absent was set.
const SAVE = redisScript(
  'executionSave',
  8,
  `
if ARGV[8] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
${LEDGER_PRUNE(5)}
local ttl = tonumber(ARGV[1])
local bytes = #ARGV[4] + #ARGV[5] + #ARGV[6]
redis.call('SET', KEYS[1], ARGV[4], 'EX', ttl)
for i, field in ipairs({5, 6}) do
  if #ARGV[field] > 0 then redis.call('SET', KEYS[i + 1], ARGV[field], 'EX', ttl) else redis.call('DEL', KEYS[i + 1]) end
end
redis.call('DEL', KEYS[4])
for i = 9, #ARGV, 2 do
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
  bytes = bytes + #ARGV[i] + #ARGV[i + 1]
end
if #ARGV >= 9 then redis.call('EXPIRE', KEYS[4], ttl) end
forget(ARGV[2])
redis.call('ZADD', ledger, now + ttl * 1000, ARGV[2])
redis.call('HSET', sizes, ARGV[2], bytes)
redis.call('INCRBY', total, bytes)
-- The ledger lives as long as its newest entry: once every result of a key has expired, so has its ledger.
for _, key in ipairs({ledger, sizes, total}) do redis.call('EXPIRE', key, ttl) end
redis.call('SADD', KEYS[8], ARGV[3])
redis.call('PUBLISH', ARGV[7], 'final')
return bytes
`,
);

// KEYS: record, stdout, stderr, files, cancel flag, ledger, sizes, total.  ARGV: id, expected record JSON or ''.
// Deletes everything of one execution and frees its bytes; with an expected record, only if that is still the one stored.
const REMOVE = redisScript(
  'executionRemove',
  8,
  `
local record = redis.call('GET', KEYS[1])
if not record or (ARGV[2] ~= '' and record ~= ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
${LEDGER_PRUNE(6)}
forget(ARGV[1])
return 1
`,
);

// KEYS: ledger, sizes, total, owners.  ARGV: owner.  Returns the bytes the owner's results hold now.
const HELD = redisScript(
  'executionBytesHeld',
  4,
  `
${LEDGER_PRUNE(1)}
local held = tonumber(redis.call('GET', total) or '0')
if redis.call('ZCARD', ledger) == 0 then
  redis.call('DEL', total, sizes)
  redis.call('SREM', KEYS[4], ARGV[1])
  return 0
end
return held
`,
);

/**
 * Where finished executions live, outside BullMQ's job records: one key
 * namespace per execution, `<prefix>:exec:<id>:…`, whose keys all get their
 * expiry when they are written and expire together.
 * - `record`: JSON of who owns it and how it ended (status, usage, file names and sizes), no output;
 * - `stdout`, `stderr`: the bytes as the program wrote them (binary-safe, never JSON-escaped);
 * - `files`: a hash of path -> content;
 * - `cancel`: the cancel flag (see ExecutionCancels).
 * Each key's bytes are counted in a ledger per API key (the storage budget),
 * and saving publishes on the execution's channel, so waiters read only what
 * they wait for.
 */
@Injectable()
export class ExecutionStore {
  readonly ttlSeconds: number;

  constructor(
    private readonly redis: RedisConnection,
    private readonly deliveries: WebhookDeliveries,
    config: ConfigService<AppConfig, true>,
  ) {
    this.ttlSeconds = config.get('queue.resultTtlSeconds', { infer: true });
  }

  /** The key of one part of an execution; every per-execution key is made here. */
  key(id: string, part: 'record' | 'stdout' | 'stderr' | 'files' | 'cancel'): string {
    return this.redis.key('exec', id, part);
  }

  /** Published on once the execution is final: subscribe before reading, and no completion is missed. */
  channel(id: string): string {
    return this.redis.key('exec', id, 'changed');
  }

  /**
   * Stores a final execution, all of it with the same expiry, counts its bytes
   * against its owner and wakes its waiters. Returns the stored record (to
   * remove it later only if unchanged), or null when `onlyIfAbsent` found one.
   */
  async save(
    owner: string,
    identity: ExecutionIdentity,
    report: StoredReport,
    output: RunOutput,
    { onlyIfAbsent = false } = {},
  ): Promise<string | null> {
    const record = JSON.stringify({ owner, identity, report } satisfies StoredRecord);
    const id = identity.id;
    const files = output.files.flatMap(({ path, content }) => [path, content]);
    const saved = (await this.redis.run(
      SAVE,
      [
        this.key(id, 'record'),
        this.key(id, 'stdout'),
        this.key(id, 'stderr'),
        this.key(id, 'files'),
        ...this.ledgerKeys(owner),
      ],
      [
        this.ttlSeconds,
        id,
        owner,
        record,
        output.stdout,
        output.stderr,
        this.channel(id),
        onlyIfAbsent ? '1' : '0',
        ...files,
      ],
    )) as number;
    return saved < 0 ? null : record;
  }

  /** The final result of `id` with its owner, in one round trip; null when there is none (yet, or any more). */
  async read(id: string): Promise<{ owner: string; record: string; result: ExecutionResult } | null> {
    const replies = await this.redis.client
      .pipeline()
      .get(this.key(id, 'record'))
      .getBuffer(this.key(id, 'stdout'))
      .getBuffer(this.key(id, 'stderr'))
      .hgetallBuffer(this.key(id, 'files'))
      .hgetall(this.deliveries.key(id))
      .exec();
    if (!replies) return null;
    for (const [error] of replies) if (error) throw error;
    const [record, stdout, stderr, files, delivery] = replies.map(([, value]) => value) as [
      string | null,
      Buffer | null,
      Buffer | null,
      Record<string, Buffer> | null,
      Record<string, string> | null,
    ];
    if (!record) return null;
    const stored = JSON.parse(record) as StoredRecord;
    const output: RunOutput = {
      stdout: stdout ?? Buffer.alloc(0),
      stderr: stderr ?? Buffer.alloc(0),
      files: Object.entries(files ?? {}).map(([path, content]) => ({ path, content })),
    };
    return {
      owner: stored.owner,
      record,
      result: executionResult(
        stored.identity,
        { kind: 'ran', run: withOutput(stored.report, output) },
        WebhookDeliveries.parse(delivery),
      ),
    };
  }

  /**
   * The final results of `ids` without their output, in one round trip: what a
   * history lists. Missing ids (not final yet, or gone) are not in the map.
   */
  async readWithoutOutput(ids: string[]): Promise<Map<string, { owner: string; result: ExecutionResult }>> {
    const found = new Map<string, { owner: string; result: ExecutionResult }>();
    if (!ids.length) return found;
    const records = await this.redis.client.mget(ids.map((id) => this.key(id, 'record')));
    records.forEach((record, i) => {
      if (!record) return;
      const stored = JSON.parse(record) as StoredRecord;
      const result = executionResult(stored.identity, { kind: 'ran', run: withOutput(stored.report, NO_OUTPUT) });
      found.set(ids[i], { owner: stored.owner, result });
    });
    return found;
  }

  /**
   * Deletes a final execution and everything of it, and frees its bytes. With
   * `onlyRecord`, only while that is still the record stored. Returns whether it did.
   */
  async remove(id: string, owner: string, onlyRecord = ''): Promise<boolean> {
    const keys = [
      this.key(id, 'record'),
      this.key(id, 'stdout'),
      this.key(id, 'stderr'),
      this.key(id, 'files'),
      this.key(id, 'cancel'),
      ...this.ledgerKeys(owner).slice(0, 3),
    ];
    return (await this.redis.run(REMOVE, keys, [id, onlyRecord])) === 1;
  }

  /** Bytes the results of `owner` hold in Redis now; results that have expired are no longer counted. */
  async heldBytes(owner: string): Promise<number> {
    return (await this.redis.run(HELD, this.ledgerKeys(owner), [owner])) as number;
  }

  /** Clears the ledger entries of expired results for every key that has any, so no id outlives its result. */
  async pruneLedgers(): Promise<void> {
    for (const owner of await this.redis.client.smembers(this.ownersKey)) await this.heldBytes(owner);
  }

  /** A key's ledger: its results' ids by expiry, their sizes, their total; then the set of keys that have a ledger. */
  private ledgerKeys(owner: string): string[] {
    return [
      this.redis.key('stored', owner),
      this.redis.key('stored', owner, 'sizes'),
      this.redis.key('stored', owner, 'total'),
      this.ownersKey,
    ];
  }

  private get ownersKey(): string {
    return this.redis.key('stored', 'owners');
  }
}
