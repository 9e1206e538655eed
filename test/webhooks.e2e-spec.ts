import { ApiClient } from './support/api-client';
import { eventually } from './support/eventually';
import { privateStack } from './support/private-stack';
import { verifyStandardWebhook, WebhookReceiver } from './support/webhook-receiver';

const MAX_ATTEMPTS = 4;

/** A stack that may deliver to 127.0.0.1, with retries fast enough for a test. */
describe('webhooks', () => {
  let ctx: Awaited<ReturnType<typeof privateStack>>;
  let client: ApiClient;
  let secret: string;
  let keyId: string;
  const receivers: WebhookReceiver[] = [];

  const receiver = async (statuses: number[] = [200]) => {
    const made = new WebhookReceiver(statuses);
    receivers.push(made);
    return { receiver: made, url: await made.start() };
  };

  const finalWebhook = (id: string, status: 'delivered' | 'failed') =>
    eventually(`webhook of ${id} ${status}`, async () => {
      const result = (await client.request('GET', `/v1/executions/${id}`)).body;
      return result.webhook?.status === status ? result : undefined;
    });

  beforeAll(async () => {
    ctx = await privateStack('webhooks', {
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_MS: '100',
      WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    });
    await ctx.stack.start(1);
    const admin = new ApiClient(
      () => ctx.stack.adminKey,
      () => ctx.stack.baseUrl,
    );
    const created = await admin.request('POST', '/v1/keys', { name: `hooks-${Date.now()}` });
    expect(created.status).toBe(201);
    expect(created.body.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    ({ webhookSecret: secret, id: keyId } = created.body);
    client = new ApiClient(
      () => created.body.key,
      () => ctx.stack.baseUrl,
    );
    // Shown once: never again in a listing or a lookup.
    const listed = await admin.request('GET', `/v1/keys/${keyId}`);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await ctx?.cleanUp();
  });

  it('POSTs the final result, signed with the key secret, to a receiver on 127.0.0.1', async () => {
    const { receiver: hook, url } = await receiver();
    const submitted = await client.request('POST', '/v1/executions?wait=true', {
      code: 'print("hooked")',
      webhook: { url },
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body.webhook).toMatchObject({ url, status: 'pending' });
    const final = await finalWebhook(submitted.body.id, 'delivered');
    expect(final.webhook).toMatchObject({ url, status: 'delivered', attempts: 1, lastError: null });
    expect(Date.parse(final.webhook.deliveredAt)).toBeGreaterThanOrEqual(Date.parse(final.finishedAt));

    expect(hook.received).toHaveLength(1);
    const [delivery] = hook.received;
    expect(verifyStandardWebhook(secret, delivery)).toBe(true);
    expect(delivery.headers['webhook-id']).toBe(submitted.body.id);
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    const sent = JSON.parse(delivery.body);
    // The same JSON as GET, as it stood when it was sent: the try under way counted.
    expect(sent).toEqual({
      ...final,
      webhook: { url, status: 'pending', attempts: 1, lastError: null, deliveredAt: null },
    });
    // Any change to the body breaks the signature.
    expect(verifyStandardWebhook(secret, { ...delivery, body: delivery.body.replace('hooked', 'hacked') })).toBe(false);
  });

  it('retries a receiver that fails twice, and counts the three tries', async () => {
    const { receiver: hook, url } = await receiver([500, 503, 204]);
    const id = await client.submit('print(1)', { webhook: { url } });
    const final = await finalWebhook(id, 'delivered');
    expect(final.webhook).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
    for (const delivery of hook.received) expect(verifyStandardWebhook(secret, delivery)).toBe(true);
    expect(hook.received.map((r) => JSON.parse(r.body).webhook.attempts)).toEqual([1, 2, 3]);
  });

  it('gives up after WEBHOOK_MAX_ATTEMPTS, and says why', async () => {
    const { receiver: hook, url } = await receiver([500]);
    const id = await client.submit('print(1)', { webhook: { url } });
    const final = await finalWebhook(id, 'failed');
    expect(final.webhook).toMatchObject({
      status: 'failed',
      attempts: MAX_ATTEMPTS,
      lastError: 'the receiver answered 500',
      deliveredAt: null,
    });
    expect(hook.received).toHaveLength(MAX_ATTEMPTS);
  });

  it('follows no redirect: a 302 is a failed try', async () => {
    const { receiver: hook, url } = await receiver([302, 200]);
    const id = await client.submit('print(1)', { webhook: { url } });
    const final = await finalWebhook(id, 'delivered');
    expect(final.webhook.attempts).toBe(2);
    expect(hook.received).toHaveLength(2);
  });

  it('delivers the result of a job that failed', async () => {
    const { receiver: hook, url } = await receiver();
    const failed = await client.request('POST', '/v1/executions?wait=true', {
      code: 'raise SystemExit(3)',
      webhook: { url },
    });
    expect(failed.body.status).toBe('failed');
    await finalWebhook(failed.body.id, 'delivered');
    const sent = hook.received.map((r) => JSON.parse(r.body));
    expect(sent).toEqual([expect.objectContaining({ id: failed.body.id, status: 'failed', exitCode: 3 })]);
  });

  it('signs with the new secret once the key secret is rotated', async () => {
    const admin = new ApiClient(
      () => ctx.stack.adminKey,
      () => ctx.stack.baseUrl,
    );
    const rotated = await admin.request('POST', `/v1/keys/${keyId}/webhook-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhookSecret).not.toBe(secret);
    const { receiver: hook, url } = await receiver();
    const id = await client.submit('print(1)', { webhook: { url } });
    await finalWebhook(id, 'delivered');
    expect(verifyStandardWebhook(rotated.body.webhookSecret, hook.received[0])).toBe(true);
    expect(verifyStandardWebhook(secret, hook.received[0])).toBe(false);
    secret = rotated.body.webhookSecret;
  });

  it('refuses a webhook from a key with no signing secret, naming the field', async () => {
    const { url } = await receiver();
    // ADMIN_API_KEY's key gets no secret until one is rotated in.
    const admin = new ApiClient(
      () => ctx.stack.adminKey,
      () => ctx.stack.baseUrl,
    );
    const refused = await admin.request('POST', '/v1/executions', { code: 'print(1)', webhook: { url } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual([
      expect.stringMatching(/^webhook: this API key has no webhook signing secret/),
    ]);
  });
});
