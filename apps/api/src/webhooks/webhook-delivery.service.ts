import { Injectable, Logger } from '@nestjs/common';
import {
  ExecutionStore,
  type WebhookDelivery,
  WebhookDeliveries,
  type WebhookJob,
  type WebhookOutcome,
} from '@sps/queue';
import { UnrecoverableError } from 'bullmq';
import { ApiKeyStore } from '../auth/api-key.store';
import { WebhookSender } from './webhook-sender.service';
import { signWebhook } from './webhook-signature';
import { WebhookTargetError, WebhookTargets } from './webhook-targets.service';

/**
 * One try at delivering a job's final result: the result as GET answers it
 * now, signed with its key's secret, POSTed to the checked address. A 2xx is
 * delivered; anything else throws, so BullMQ tries again after its backoff, up
 * to WEBHOOK_MAX_ATTEMPTS; what cannot get better (a refused URL, a result or
 * key that is gone) fails at once. Each try is recorded where the result shows it.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    private readonly store: ExecutionStore,
    private readonly deliveries: WebhookDeliveries,
    private readonly keys: ApiKeyStore,
    private readonly targets: WebhookTargets,
    private readonly sender: WebhookSender,
  ) {}

  async deliver(job: WebhookJob): Promise<WebhookOutcome> {
    const { executionId, ownerKeyId, url } = job.data;
    const attempts = job.attemptsMade + 1;
    const last = attempts >= (job.opts.attempts ?? 1);
    const record = (delivery: Omit<WebhookDelivery, 'attempts'>) =>
      this.deliveries.record(executionId, { ...delivery, attempts });
    const give = async (lastError: string, forGood: boolean): Promise<never> => {
      await record({ status: forGood || last ? 'failed' : 'pending', lastError, deliveredAt: null });
      this.logger.warn(`execution ${executionId}: webhook try ${attempts} failed: ${lastError}`);
      throw forGood ? new UnrecoverableError(lastError) : new Error(lastError);
    };
    // Counted before it is sent, so the result the receiver gets says which try it is.
    await record({ status: 'pending', lastError: null, deliveredAt: null });
    const found = await this.store.read(executionId);
    if (!found || found.owner !== ownerKeyId) return give('the result no longer exists (deleted or expired)', true);
    const secret = await this.keys.webhookSecret(ownerKeyId);
    if (!secret) return give('the API key was revoked, or has no webhook signing secret', true);
    let target;
    try {
      target = await this.targets.resolve(url);
    } catch (error) {
      if (error instanceof WebhookTargetError) return give(`webhook.url ${error.message}`, true);
      throw error;
    }
    const body = JSON.stringify(found.result);
    const timestamp = Math.floor(Date.now() / 1000);
    let statusCode: number;
    try {
      ({ statusCode } = await this.sender.post(target, body, {
        'webhook-id': executionId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, executionId, timestamp, body),
      }));
    } catch (error) {
      return give(`could not deliver: ${(error as Error).message}`, false);
    }
    if (statusCode < 200 || statusCode > 299) return give(`the receiver answered ${statusCode}`, false);
    await record({ status: 'delivered', lastError: null, deliveredAt: new Date().toISOString() });
    return { statusCode };
  }
}
