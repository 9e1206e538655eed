import { registerAs } from '@nestjs/config';
import { join } from 'node:path';
import { ConfigError, EnvReader } from './env-reader';

/** Per-key quotas that apply when a key sets none of its own. */
export interface DefaultQuotas {
  /** Requests a key may make per minute, on every authenticated route. */
  ratePerMinute: number;
  /** Executions a key may have queued or running at once. */
  maxInFlight: number;
  /** Bytes a key's finished results may hold in Redis before its submissions are refused. */
  maxStoredBytes: number;
  /** HTTP requests of one key being served at once by one API process (long polls and event streams included). */
  maxConcurrentRequests: number;
  /** Sessions a key may have open at once. */
  maxSessions: number;
}

export interface AuthConfig {
  /** AUTH=off turns authentication off entirely: every caller is one anonymous admin. */
  enabled: boolean;
  /** Bootstraps (or rotates) the admin key named "ADMIN_API_KEY". */
  adminApiKey: string | null;
  /** Where the key created on a first start with no keys at all is written (mode 0600). */
  adminKeyFile: string;
  defaultQuotas: DefaultQuotas;
  /** Whether GET /metrics may be read without a key (for scrapers on a trusted network). */
  publicMetrics: boolean;
}

// Printable ASCII without spaces, long enough that guessing is hopeless.
const ADMIN_KEY_PATTERN = /^[\x21-\x7e]{24,256}$/;

/** AUTH: on unless set off; the API's default bind address depends on it too. */
export const readAuthEnabled = (env = new EnvReader()): boolean => env.bool('AUTH', true);

export const readAuthConfig = (env = new EnvReader()): AuthConfig => {
  const adminApiKey = env.string('ADMIN_API_KEY', '') || null;
  if (adminApiKey !== null && !ADMIN_KEY_PATTERN.test(adminApiKey)) {
    // The value itself is a secret: never echo it back.
    throw new ConfigError('ADMIN_API_KEY must be 24 to 256 printable characters without spaces');
  }
  return {
    enabled: readAuthEnabled(env),
    adminApiKey,
    adminKeyFile: env.string('ADMIN_KEY_FILE', join(env.string('DATA_DIR', '.data'), 'admin-key')),
    defaultQuotas: {
      ratePerMinute: env.int('QUOTA_RATE_PER_MINUTE', 600, { min: 1, max: 10_000_000 }),
      maxInFlight: env.int('QUOTA_MAX_IN_FLIGHT', 100, { min: 1, max: 1_000_000 }),
      maxStoredBytes: env.int('QUOTA_MAX_STORED_BYTES', 256 * 1024 * 1024, { min: 1024, max: 2 ** 50 }),
      maxConcurrentRequests: env.int('QUOTA_MAX_CONCURRENT_REQUESTS', 100, { min: 1, max: 1_000_000 }),
      maxSessions: env.int('QUOTA_MAX_SESSIONS', 5, { min: 0, max: 1_000_000 }),
    },
    publicMetrics: env.bool('METRICS_PUBLIC', false),
  };
};

export const authConfig = registerAs('auth', () => readAuthConfig());
