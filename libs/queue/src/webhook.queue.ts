import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import type { JobsOptions } from 'bullmq';
import type { ExecutionJobData } from './execution.types';
import { WEBHOOK_QUEUE } from './queue.constants';
import type { TypedQueue } from './queue.contracts';

/** One delivery: the result itself is read when it is sent, so every try sends the result as it is then. */
export interface WebhookJobData {
  executionId: string;
  ownerKeyId: string;
  url: string;
}

/** How a delivery ended: the receiver's status code. */
export interface WebhookOutcome {
  statusCode: number;
}

/**
 * The only producer of webhook deliveries. Whoever stores a job's final result
 * calls it: a worker for a job that ran or failed, the API for one cancelled
 * while queued. The API alone sends them (WebhookDeliveryProcessor): workers
 * hold the Docker socket and never open connections to addresses callers chose.
 */
@Injectable()
export class WebhookQueue {
  private readonly options: JobsOptions;

  constructor(
    @InjectQueue(WEBHOOK_QUEUE) readonly queue: TypedQueue<typeof WEBHOOK_QUEUE>,
    config: ConfigService<AppConfig, true>,
  ) {
    const { maxAttempts, backoffMs } = config.get('webhooks', { infer: true });
    this.options = {
      attempts: maxAttempts,
      backoff: { type: 'exponential', delay: backoffMs },
      removeOnComplete: true,
      removeOnFail: true,
    };
  }

  /**
   * Queues the delivery of a final result, if the job asked for one. The job id
   * is the execution's, so a second call for the same result adds nothing.
   */
  async finalReached(executionId: string, data: Pick<ExecutionJobData, 'ownerKeyId' | 'webhook'>): Promise<void> {
    if (!data.webhook) return;
    await this.queue.add(
      'deliver',
      { executionId, ownerKeyId: data.ownerKeyId, url: data.webhook.url },
      { ...this.options, jobId: executionId },
    );
  }
}
