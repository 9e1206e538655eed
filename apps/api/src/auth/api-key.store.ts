import { Injectable } from '@nestjs/common';
import type { SandboxLimits } from '@sps/config';
import { RedisConnection, redisScript } from '@sps/redis';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_ROLES = ['admin', 'user'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** A key's own quotas; anything missing falls back to the server's defaults and maxima. */
export interface KeyQuotas {
  ratePerMinute?: number;
  maxInFlight?: number;
  maxStoredBytes?: number;
  maxConcurrentRequests?: number;
  maxSessions?: number;
  maxLimits?: Partial<SandboxLimits>;
}

/** What is known about a key, and all that is ever shown: never the key, never its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  role: ApiKeyRole;
  quotas: KeyQuotas;
  createdAt: string;
}

interface StoredApiKey extends ApiKeyRecord {
  /** sha-256 of the key, hex. A 256-bit random key needs no slow hash: there is nothing to brute-force. */
  hash: string;
  /**
   * The key that signs this API key's webhooks (whsec_...). Kept as it is: an
   * HMAC needs the secret itself, so it cannot be hashed like the API key.
   * Missing for keys made before webhooks, and for ADMIN_API_KEY's, until rotated.
   */
  webhookSecret?: string;
}

export interface NewApiKey {
  name: string;
  role: ApiKeyRole;
  quotas?: KeyQuotas;
}

export class ApiKeyNameTakenError extends Error {
  constructor(name: string) {
    super(`an API key named "${name}" already exists`);
  }
}

/** The id of the admin key that ADMIN_API_KEY bootstraps; a new value replaces the old key. */
export const ENV_ADMIN_KEY_ID = 'admin-env';
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const KEY_PREFIX = 'sps_';
const MAX_PRESENTED_KEY_LENGTH = 512;

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** Standard Webhooks' prefix of a signing secret: what follows is the key, base64. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new webhook signing secret: 32 random bytes (Standard Webhooks asks for 24 to 64), as whsec_<base64>. */
export const generateWebhookSecret = (): string => WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');

/** 256 random bits, URL-safe, with a prefix that makes a leaked key easy to recognise in a scan. */
export const generateApiKey = (): string => KEY_PREFIX + randomBytes(32).toString('base64url');

// KEYS: records, hashes, names.  ARGV: id, name, hash, record JSON, only-if-empty flag.
const CREATE = redisScript(
  'apiKeyCreate',
  3,
  `
if ARGV[5] == '1' and redis.call('HLEN', KEYS[1]) > 0 then return -1 end
if redis.call('HSETNX', KEYS[3], ARGV[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
return 1
`,
);

// KEYS: records, hashes, names.  ARGV: id.
const REVOKE = redisScript(
  'apiKeyRevoke',
  3,
  `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local record = cjson.decode(raw)
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HGET', KEYS[2], record.hash) == ARGV[1] then redis.call('HDEL', KEYS[2], record.hash) end
if redis.call('HGET', KEYS[3], record.name) == ARGV[1] then redis.call('HDEL', KEYS[3], record.name) end
return 1
`,
);

// KEYS: records, hashes, names.  ARGV: id, name, hash, record JSON. Replaces the key with this id, whatever it was.
const REPLACE = redisScript(
  'apiKeyReplace',
  3,
  `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local old = cjson.decode(raw)
  if old.hash == ARGV[3] then return 0 end
  if redis.call('HGET', KEYS[2], old.hash) == ARGV[1] then redis.call('HDEL', KEYS[2], old.hash) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
return 1
`,
);

// KEYS: records.  ARGV: id, new webhook secret.  Returns 0 when there is no such key.
const ROTATE_WEBHOOK_SECRET = redisScript(
  'apiKeyRotateWebhookSecret',
  1,
  `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local record = cjson.decode(raw)
record.webhookSecret = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
return 1
`,
);

/** A new key as its creator sees it, once: the key and its webhook signing secret. */
export interface CreatedApiKey {
  record: ApiKeyRecord;
  key: string;
  webhookSecret: string;
}

const publicRecord = ({ hash: _hash, webhookSecret: _secret, ...record }: StoredApiKey): ApiKeyRecord => record;

/**
 * API keys in Redis, shared by every API replica: records by id, and an index
 * from the key's sha-256 to its id for the lookup on each request. Revoking
 * takes effect on the next request; nothing is cached.
 */
@Injectable()
export class ApiKeyStore {
  /** Hash: key id -> its record (name, role, quotas, sha-256 of the key; never the key itself). */
  private readonly records: string;
  /** Hash: sha-256 of a key -> its id, for the lookup on every request. */
  private readonly hashes: string;
  /** Hash: key name -> its id, so names are unique. */
  private readonly names: string;

  constructor(private readonly redis: RedisConnection) {
    this.records = redis.key('apikeys');
    this.hashes = redis.key('apikeys', 'hashes');
    this.names = redis.key('apikeys', 'names');
  }

  private get indexKeys(): string[] {
    return [this.records, this.hashes, this.names];
  }

  async create(spec: NewApiKey): Promise<CreatedApiKey> {
    if (spec.name === ENV_ADMIN_KEY_ID) throw new ApiKeyNameTakenError(spec.name); // reserved for ADMIN_API_KEY
    const created = await this.insert(spec, false);
    if (!created) throw new ApiKeyNameTakenError(spec.name);
    return created;
  }

  /** Creates an admin key only if there are no keys at all, atomically across replicas. */
  async createFirstAdmin(name: string): Promise<CreatedApiKey | null> {
    return this.insert({ name, role: 'admin' }, true);
  }

  /** Makes `key` the admin key with id ENV_ADMIN_KEY_ID. Returns whether anything changed. */
  async ensureEnvAdmin(key: string): Promise<boolean> {
    const stored: StoredApiKey = {
      id: ENV_ADMIN_KEY_ID,
      name: ENV_ADMIN_KEY_ID,
      role: 'admin',
      quotas: {},
      createdAt: new Date().toISOString(),
      hash: hashApiKey(key),
    };
    const changed = await this.redis.run(REPLACE, this.indexKeys, [
      stored.id,
      stored.name,
      stored.hash,
      JSON.stringify(stored),
    ]);
    return changed === 1;
  }

  /** The key's record, or null for a key that does not exist or was revoked. */
  async findByKey(key: string): Promise<ApiKeyRecord | null> {
    if (!key || key.length > MAX_PRESENTED_KEY_LENGTH) return null;
    const hash = hashApiKey(key);
    const id = await this.redis.client.hget(this.hashes, hash);
    if (!id) return null;
    const stored = await this.read(id);
    if (!stored) return null;
    // The index found it by hash already; this compare, in constant time, is what grants access.
    const expected = Buffer.from(stored.hash, 'hex');
    const presented = Buffer.from(hash, 'hex');
    return expected.length === presented.length && timingSafeEqual(expected, presented) ? publicRecord(stored) : null;
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const stored = await this.read(id);
    return stored && publicRecord(stored);
  }

  async findByName(name: string): Promise<ApiKeyRecord | null> {
    const id = await this.redis.client.hget(this.names, name);
    return id ? this.get(id) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const all = await this.redis.client.hvals(this.records);
    return all
      .map((raw) => publicRecord(JSON.parse(raw) as StoredApiKey))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  async count(): Promise<number> {
    return this.redis.client.hlen(this.records);
  }

  /** The secret that signs the webhooks of key `id`; null for a key that has none, or does not exist. */
  async webhookSecret(id: string): Promise<string | null> {
    return (await this.read(id))?.webhookSecret ?? null;
  }

  /** Gives key `id` a new webhook signing secret, which replaces the old one at once; null when there is no such key. */
  async rotateWebhookSecret(id: string): Promise<string | null> {
    const secret = generateWebhookSecret();
    return (await this.redis.run(ROTATE_WEBHOOK_SECRET, [this.records], [id, secret])) === 1 ? secret : null;
  }

  /** Returns false when there was no such key. */
  async revoke(id: string): Promise<boolean> {
    return (await this.redis.run(REVOKE, this.indexKeys, [id])) === 1;
  }

  private async insert(spec: NewApiKey, onlyIfEmpty: boolean): Promise<CreatedApiKey | null> {
    const key = generateApiKey();
    const webhookSecret = generateWebhookSecret();
    const stored: StoredApiKey = {
      id: randomBytes(8).toString('hex'),
      name: spec.name,
      role: spec.role,
      quotas: spec.quotas ?? {},
      createdAt: new Date().toISOString(),
      hash: hashApiKey(key),
      webhookSecret,
    };
    const result = await this.redis.run(CREATE, this.indexKeys, [
      stored.id,
      stored.name,
      stored.hash,
      JSON.stringify(stored),
      onlyIfEmpty ? '1' : '0',
    ]);
    return result === 1 ? { record: publicRecord(stored), key, webhookSecret } : null;
  }

  private async read(id: string): Promise<StoredApiKey | null> {
    const raw = await this.redis.client.hget(this.records, id);
    return raw ? (JSON.parse(raw) as StoredApiKey) : null;
  }
}
