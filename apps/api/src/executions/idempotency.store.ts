import { Injectable } from '@nestjs/common';
import { RedisConnection, redisScript } from '@sps/redis';
import { createHash } from 'node:crypto';

/** How long a key's answer is kept: a client retrying within this window gets the same executions. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/**
 * How long a claim whose request is still submitting holds the key: a process
 * that died mid-submission frees it after this, not after a day.
 */
const PENDING_TTL_SECONDS = 60;

/** What a claim found. */
export type IdempotencyClaim =
  { kind: 'claimed' } | { kind: 'done'; ids: string[] } | { kind: 'pending' } | { kind: 'conflict' };

interface StoredClaim {
  fingerprint: string;
  ids: string[];
  done: boolean;
}

// KEYS: claim.  ARGV: pending claim JSON, its ttl.  Returns nil when claimed now, else the claim stored.
const CLAIM = redisScript(
  'idempotencyClaim',
  1,
  `
local stored = redis.call('GET', KEYS[1])
if stored then return stored end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return false
`,
);

// KEYS: claim.  ARGV: the pending claim JSON expected, the claim to put instead ('' deletes it), its ttl.
const SETTLE = redisScript(
  'idempotencySettle',
  1,
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return 1
`,
);

/**
 * Idempotency keys, per API key: `<prefix>:idem:<keyId>:<sha-256 of the
 * Idempotency-Key>`, holding the fingerprint of the request that claimed it
 * and the ids it made. Claiming is one atomic step, so of two requests that
 * arrive together exactly one submits; the other waits for its answer.
 */
@Injectable()
export class IdempotencyStore {
  constructor(private readonly redis: RedisConnection) {}

  private key(owner: string, idempotencyKey: string): string {
    return this.redis.key('idem', owner, createHash('sha256').update(idempotencyKey, 'utf8').digest('hex'));
  }

  /** Claims the key for a request with this fingerprint and these ids, or says who has it. */
  async claim(owner: string, idempotencyKey: string, fingerprint: string, ids: string[]): Promise<IdempotencyClaim> {
    const pending = JSON.stringify({ fingerprint, ids, done: false } satisfies StoredClaim);
    const raw = (await this.redis.run(CLAIM, [this.key(owner, idempotencyKey)], [pending, PENDING_TTL_SECONDS])) as
      string | null;
    if (raw === null) return { kind: 'claimed' };
    const stored = JSON.parse(raw) as StoredClaim;
    if (stored.fingerprint !== fingerprint) return { kind: 'conflict' };
    return stored.done ? { kind: 'done', ids: stored.ids } : { kind: 'pending' };
  }

  /** The claimed request submitted: its answer is kept for a day. */
  async complete(owner: string, idempotencyKey: string, fingerprint: string, ids: string[]): Promise<void> {
    const pending = JSON.stringify({ fingerprint, ids, done: false } satisfies StoredClaim);
    const done = JSON.stringify({ fingerprint, ids, done: true } satisfies StoredClaim);
    await this.redis.run(SETTLE, [this.key(owner, idempotencyKey)], [pending, done, IDEMPOTENCY_TTL_SECONDS]);
  }

  /** The claimed request was refused (nothing was queued): the key is free for a retry. */
  async release(owner: string, idempotencyKey: string, fingerprint: string, ids: string[]): Promise<void> {
    const pending = JSON.stringify({ fingerprint, ids, done: false } satisfies StoredClaim);
    await this.redis.run(SETTLE, [this.key(owner, idempotencyKey)], [pending, '', 0]);
  }
}
