import { Injectable } from '@nestjs/common';
import { RedisConnection, redisScript } from '@sps/redis';
import type { EnvironmentRecord } from './environment-spec';

// Compare-and-set on one field of the catalogue hash: the write happens only
// if the field still holds what the caller read ('' for absent), so
// concurrent API processes and workers never lose each other's updates.
// A script rather than WATCH, because WATCH belongs to a connection that
// every caller in the process shares.
const COMPARE_AND_SET = redisScript(
  'environmentCompareAndSet',
  1,
  `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1
`,
);
const MAX_ATTEMPTS = 50;

/** What an update function returns: a new record, `null` to delete it, or `undefined` to leave it as it is. */
export type RecordChange = EnvironmentRecord | null | undefined;

/** The catalogue of environments, in Redis: shared by the API (which writes specs) and the workers (which write build results). */
@Injectable()
export class EnvironmentCatalogue {
  /** Hash: environment name -> its record (JSON). */
  private readonly records: string;
  /** Hash: environment name -> when a job last ran in it. Kept apart so jobs never rewrite records. */
  private readonly lastUsedAt: string;
  /** Set of built-in environments added once already: deleting one keeps it deleted. */
  private readonly seeded: string;

  constructor(private readonly redis: RedisConnection) {
    this.records = redis.key('envs');
    this.lastUsedAt = redis.key('envs', 'last-used');
    this.seeded = redis.key('envs', 'seeded');
  }

  async get(name: string): Promise<EnvironmentRecord | null> {
    const raw = await this.redis.client.hget(this.records, name);
    return raw ? (JSON.parse(raw) as EnvironmentRecord) : null;
  }

  async list(): Promise<EnvironmentRecord[]> {
    const all = await this.redis.client.hgetall(this.records);
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as EnvironmentRecord)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /**
   * Applies `change` to the current record atomically, reading again and
   * retrying when someone else wrote in between. Returns the record before
   * and after (equal when nothing changed).
   */
  async update(
    name: string,
    change: (current: EnvironmentRecord | null) => RecordChange,
  ): Promise<{ before: EnvironmentRecord | null; after: EnvironmentRecord | null }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = (await this.redis.client.hget(this.records, name)) ?? '';
      const before = raw ? (JSON.parse(raw) as EnvironmentRecord) : null;
      const after = change(before);
      if (after === undefined) return { before, after: before };
      const next = after === null ? '' : JSON.stringify(after);
      if (next === raw) return { before, after };
      const written = await this.redis.run(COMPARE_AND_SET, [this.records], [name, raw, next]);
      if (written === 1) return { before, after };
    }
    throw new Error(`environment "${name}" changed too often to be updated`);
  }

  async touch(name: string, at = new Date()): Promise<void> {
    await this.redis.client.hset(this.lastUsedAt, name, at.toISOString());
  }

  async lastUsed(): Promise<Record<string, string>> {
    return this.redis.client.hgetall(this.lastUsedAt);
  }

  async forgetLastUsed(name: string): Promise<void> {
    await this.redis.client.hdel(this.lastUsedAt, name);
  }

  /** The built-in environments this deployment has added once (and keeps deleted once deleted). */
  async seededBuiltins(): Promise<Set<string>> {
    return new Set(await this.redis.client.smembers(this.seeded));
  }

  async markSeeded(name: string): Promise<void> {
    await this.redis.client.sadd(this.seeded, name);
  }
}
