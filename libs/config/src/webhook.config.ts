import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export interface WebhookConfig {
  /** Tries per delivery, the first included; a 2xx ends them. */
  maxAttempts: number;
  /** The first retry waits this long, each later one twice the one before. */
  backoffMs: number;
  /** Lets deliveries reach loopback, private and link-local addresses: for tests and closed networks only. */
  allowPrivate: boolean;
  /** Deliveries one API process sends at once. */
  concurrency: number;
  /** One attempt, from connecting to the last byte read. */
  timeoutMs: number;
  /** Bytes of a receiver's answer that are read; the rest is dropped with the connection. */
  maxResponseBytes: number;
  /** The longest URL a job may name. */
  maxUrlLength: number;
}

export const readWebhookConfig = (env = new EnvReader()): WebhookConfig => ({
  // 8 tries 30 s apart, doubling: the last is sent about an hour (30 s x 127) after the first.
  maxAttempts: env.int('WEBHOOK_MAX_ATTEMPTS', 8, { min: 1, max: 30 }),
  backoffMs: env.int('WEBHOOK_BACKOFF_MS', 30_000, { min: 10, max: 3_600_000 }),
  allowPrivate: env.bool('WEBHOOK_ALLOW_PRIVATE', false),
  concurrency: env.int('WEBHOOK_CONCURRENCY', 10, { min: 1, max: 1000 }),
  timeoutMs: 5000,
  maxResponseBytes: 64 * 1024,
  maxUrlLength: 2048,
});

export const webhookConfig = registerAs('webhooks', () => readWebhookConfig());
