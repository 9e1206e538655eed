import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { RedisConnection } from '@sps/redis';
import { WEBHOOK_DELIVERY_STATUSES, type WebhookDelivery, type WebhookDeliveryStatus } from './execution.types';

/** The longest failure text kept: a receiver's words never grow a record. */
const MAX_ERROR_LENGTH = 500;

/**
 * How each job's webhook delivery stands, as the result shows it: one hash per
 * execution, `<prefix>:webhook:<id>`, kept as long as results are. No entry
 * means no try was made yet (pending).
 */
@Injectable()
export class WebhookDeliveries {
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: RedisConnection,
    config: ConfigService<AppConfig, true>,
  ) {
    this.ttlSeconds = config.get('queue.resultTtlSeconds', { infer: true });
  }

  key(executionId: string): string {
    return this.redis.key('webhook', executionId);
  }

  /** A stored hash as a delivery; null for none (or one that is not a delivery). */
  static parse(hash: Record<string, string> | null | undefined): WebhookDelivery | null {
    if (!hash || !WEBHOOK_DELIVERY_STATUSES.includes(hash.status as WebhookDeliveryStatus)) return null;
    return {
      status: hash.status as WebhookDeliveryStatus,
      attempts: Number(hash.attempts) || 0,
      lastError: hash.lastError || null,
      deliveredAt: hash.deliveredAt || null,
    };
  }

  async read(executionId: string): Promise<WebhookDelivery | null> {
    return WebhookDeliveries.parse(await this.redis.client.hgetall(this.key(executionId)));
  }

  /** Records one try: its number, and how it went. */
  async record(executionId: string, delivery: WebhookDelivery): Promise<void> {
    const key = this.key(executionId);
    await this.redis.client
      .multi()
      .hset(key, {
        status: delivery.status,
        attempts: String(delivery.attempts),
        lastError: (delivery.lastError ?? '').slice(0, MAX_ERROR_LENGTH),
        deliveredAt: delivery.deliveredAt ?? '',
      })
      .expire(key, this.ttlSeconds)
      .exec();
  }
}
