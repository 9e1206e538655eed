import { createHmac } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX } from '../auth/api-key.store';

/**
 * The Webhook-Signature of one message, as Standard Webhooks defines it:
 * `v1,` and the base64 HMAC-SHA256, keyed with the secret's decoded bytes,
 * of `${id}.${timestamp}.${body}`.
 */
export const signWebhook = (secret: string, id: string, timestampSeconds: number, body: string): string => {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
};
