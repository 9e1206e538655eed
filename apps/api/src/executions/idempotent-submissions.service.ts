import { BadRequestException, ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { withRedis } from '@sps/redis';
import { createHash, randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { IdempotencyStore } from './idempotency.store';

/** An Idempotency-Key: 1 to 255 printable ASCII characters (what the header may carry, bounded). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** How long a request waits for a twin that claimed the same key to finish submitting. */
const TWIN_WAIT_MS = 10_000;
const TWIN_POLL_MS = 50;

/** JSON with every object's keys sorted: two bodies that differ only in key order are the same body. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

/**
 * Submissions under an Idempotency-Key: the first request with a key submits;
 * a later one with the same key and body (same route, same API key, within
 * 24 h) gets the same executions back, never new ones; one with the same key
 * and another body is refused (422). A request whose twin is still submitting
 * waits for it.
 */
@Injectable()
export class IdempotentSubmissions {
  constructor(private readonly store: IdempotencyStore) {}

  /** The header, checked; undefined when there is none. */
  static parseKey(header: string | string[] | undefined): string | undefined {
    if (header === undefined) return undefined;
    if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
      throw new BadRequestException(['Idempotency-Key must be 1 to 255 printable ASCII characters (no spaces)']);
    }
    return header;
  }

  /**
   * Runs `submit` with `count` new ids and answers its value; for a replay,
   * answers the ids the first request made instead, without submitting.
   * `submit` only queues: the claim is settled as soon as it returns, so a
   * twin never waits for a job to run.
   */
  async once<T>(
    owner: Principal,
    idempotencyKey: string | undefined,
    route: string,
    body: unknown,
    count: number,
    submit: (ids: string[]) => Promise<T>,
  ): Promise<{ ids: string[]; replayed: false; value: T } | { ids: string[]; replayed: true }> {
    const ids = Array.from({ length: count }, () => randomUUID());
    if (idempotencyKey === undefined) return { ids, replayed: false, value: await submit(ids) };
    const fingerprint = createHash('sha256')
      .update(`${route}\n${canonicalJson(body)}`)
      .digest('hex');
    const deadline = Date.now() + TWIN_WAIT_MS;
    for (;;) {
      const claim = await withRedis(() => this.store.claim(owner.keyId, idempotencyKey, fingerprint, ids));
      if (claim.kind === 'conflict') {
        throw new UnprocessableEntityException(
          'Idempotency-Key was already used with a different request body: use a new key for a new request',
        );
      }
      if (claim.kind === 'done') return { ids: claim.ids, replayed: true };
      if (claim.kind === 'claimed') break;
      if (Date.now() > deadline) {
        throw new ConflictException('a request with this Idempotency-Key is still being submitted: retry shortly');
      }
      await new Promise((resolve) => setTimeout(resolve, TWIN_POLL_MS));
    }
    let value: T;
    try {
      value = await submit(ids);
    } catch (error) {
      // Refused (a 4xx, a full queue, Redis away): nothing was queued, so the key may be used again.
      await this.store.release(owner.keyId, idempotencyKey, fingerprint, ids).catch(() => undefined);
      throw error;
    }
    await withRedis(() => this.store.complete(owner.keyId, idempotencyKey, fingerprint, ids));
    return { ids, replayed: false, value };
  }
}
