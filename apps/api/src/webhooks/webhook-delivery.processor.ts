import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  consumerOptions,
  JobCounters,
  QueueWorkerHost,
  WEBHOOK_QUEUE,
  type WebhookJob,
  type WebhookOutcome,
} from '@sps/queue';
import { WebhookDeliveryService } from './webhook-delivery.service';

/**
 * Sends webhooks from the API processes, never from the workers: workers hold
 * the Docker socket, and a connection to an address a caller chose should
 * start as far from it as possible.
 */
@Injectable()
export class WebhookDeliveryProcessor extends QueueWorkerHost<typeof WEBHOOK_QUEUE> {
  constructor(
    private readonly deliveries: WebhookDeliveryService,
    counters: JobCounters,
    config: ConfigService<AppConfig, true>,
  ) {
    super(
      WEBHOOK_QUEUE,
      {
        ...consumerOptions(config.get('redis', { infer: true })),
        concurrency: config.get('webhooks.concurrency', { infer: true }),
      },
      counters,
    );
  }

  process(job: WebhookJob): Promise<WebhookOutcome> {
    return this.deliveries.deliver(job);
  }
}
