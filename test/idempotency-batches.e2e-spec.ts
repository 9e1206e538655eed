import { ApiClient, createKey, isFinal } from './support/api-client';
import { eventually } from './support/eventually';

/** A client with a key of its own, so its history holds only what the test made. */
const freshClient = async (name: string, quotas?: Record<string, unknown>) => {
  const { key } = await createKey(name, quotas ? { quotas } : {});
  return new ApiClient(() => key);
};

const historyIds = async (client: ApiClient): Promise<string[]> => {
  const page = await client.request('GET', '/v1/executions?limit=100');
  expect(page.status).toBe(200);
  return page.body.items.map((item: { id: string }) => item.id);
};

describe('idempotent submissions', () => {
  it('replays the same execution for the same key and body, and runs it once', async () => {
    const client = await freshClient('idem-replay');
    const headers = { 'idempotency-key': `replay-${Date.now()}` };
    const body = { code: 'print("once")', limits: { timeoutMs: 5000 } };
    const first = await client.request('POST', '/v1/executions?wait=true', body, headers);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // The same body with its keys in another order is the same body.
    const again = await client.request(
      'POST',
      '/v1/executions',
      { limits: { timeoutMs: 5000 }, code: 'print("once")' },
      headers,
    );
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.status).toBe(200); // final already: the answer is its result
    expect(again.body).toEqual(first.body);
    expect(await historyIds(client)).toEqual([first.body.id]);
  });

  it('refuses the same key with another body (422), and runs nothing for it', async () => {
    const client = await freshClient('idem-conflict');
    const headers = { 'idempotency-key': 'conflict-key' };
    const first = await client.request('POST', '/v1/executions', { code: 'print(1)' }, headers);
    expect(first.status).toBe(202);
    const other = await client.request('POST', '/v1/executions', { code: 'print(2)' }, headers);
    expect(other.status).toBe(422);
    expect(other.body.message).toMatch(/Idempotency-Key was already used with a different request body/);
    expect(await historyIds(client)).toEqual([first.body.id]);
  });

  it('makes one execution of two identical requests sent at once', async () => {
    const client = await freshClient('idem-race');
    const headers = { 'idempotency-key': `race-${Date.now()}` };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => client.request('POST', '/v1/executions', { code: 'print("race")' }, headers)),
    );
    for (const answer of answers) expect([200, 202]).toContain(answer.status);
    const ids = new Set(answers.map((answer) => answer.body.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    expect(await historyIds(client)).toEqual([...ids]);
  });

  it('keeps keys apart per API key: the same Idempotency-Key of another key is its own', async () => {
    const [a, b] = [await freshClient('idem-a'), await freshClient('idem-b')];
    const headers = { 'idempotency-key': 'shared-name' };
    const first = await a.request('POST', '/v1/executions', { code: 'print(1)' }, headers);
    const second = await b.request('POST', '/v1/executions', { code: 'print(1)' }, headers);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('frees the key when the request was refused, so a corrected retry runs', async () => {
    const client = await freshClient('idem-refused');
    const headers = { 'idempotency-key': 'refused-then-fixed' };
    const bad = await client.request(
      'POST',
      '/v1/executions',
      { code: 'print(1)', limits: { memoryMb: 10 ** 9 } },
      headers,
    );
    expect(bad.status).toBe(400);
    const good = await client.request('POST', '/v1/executions', { code: 'print(1)' }, headers);
    expect(good.status).toBe(202);
  });

  it.each([
    ['too long', 'k'.repeat(256)],
    ['with a space', 'two words'],
    ['empty', ''],
  ])('refuses an Idempotency-Key %s, naming the header', async (_, value) => {
    const client = await freshClient('idem-bad');
    const answer = await client.request('POST', '/v1/executions', { code: 'print(1)' }, { 'idempotency-key': value });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual(['Idempotency-Key must be 1 to 255 printable ASCII characters (no spaces)']);
    expect(await historyIds(client)).toEqual([]);
  });
});

describe('batches', () => {
  it('queues a batch of 50 and answers the ids in order; ?ids= reads them all back', async () => {
    const client = await freshClient('batch-50');
    const executions = Array.from({ length: 50 }, (_, i) => ({ code: `print(${i} * 2)` }));
    const answer = await client.request('POST', '/v1/executions/batch', { executions });
    expect(answer.status).toBe(202);
    const ids: string[] = answer.body.ids;
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
    const results = await eventually(
      'every item of the batch final',
      async () => {
        const many = await client.request('GET', `/v1/executions?ids=${ids.join(',')}`);
        return many.body.items.every(isFinal) ? many.body.items : undefined;
      },
      180_000,
      500,
    );
    expect(results.map((r: { id: string }) => r.id)).toEqual(ids);
    expect(results.map((r: { stdout: string }) => r.stdout)).toEqual(executions.map((_, i) => `${i * 2}\n`));
  }, 240_000);

  it('refuses a whole batch with one invalid item, naming items by index, and queues nothing', async () => {
    const client = await freshClient('batch-invalid');
    const executions = Array.from({ length: 10 }, () => ({ code: 'print(1)' })) as Record<string, unknown>[];
    executions[3] = { code: 'print(1)', limits: { memoryMb: 10 ** 9 } };
    executions[7] = { code: 'print(1)', colour: 'red' };
    const answer = await client.request('POST', '/v1/executions/batch', { executions });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual(['executions.7.colour should not exist']);
    executions[7] = { code: 'print(1)', files: [{ path: '../x', content: '' }] };
    const second = await client.request('POST', '/v1/executions/batch', { executions });
    expect(second.status).toBe(400);
    expect(second.body.message).toEqual([
      expect.stringMatching(/^executions\.3\.limits\.memoryMb must not be greater than \d+/),
      expect.stringMatching(/^executions\.7\.files\.0\.path /),
    ]);
    expect(await historyIds(client)).toEqual([]);
  });

  it('counts every item against the quota, and refuses a batch that would pass it whole', async () => {
    const client = await freshClient('batch-quota', { maxInFlight: 5 });
    const executions = Array.from({ length: 6 }, () => ({ code: 'print(1)' }));
    const answer = await client.request('POST', '/v1/executions/batch', { executions });
    expect(answer.status).toBe(429);
    expect(answer.body.message).toMatch(/a batch of 6 would take this API key past its maximum of 5/);
    expect(await historyIds(client)).toEqual([]);
    const fits = await client.request('POST', '/v1/executions/batch', { executions: executions.slice(1) });
    expect(fits.status).toBe(202);
  });

  it('refuses more than MAX_BATCH items, and an empty batch', async () => {
    const client = await freshClient('batch-long');
    const long = await client.request('POST', '/v1/executions/batch', {
      executions: Array.from({ length: 101 }, () => ({ code: 'print(1)' })),
    });
    expect(long.status).toBe(400);
    expect(long.body.message).toEqual(['executions must contain at most 100 items (MAX_BATCH)']);
    const empty = await client.request('POST', '/v1/executions/batch', { executions: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toEqual(['executions must contain at least 1 elements']);
    expect(await historyIds(client)).toEqual([]);
  });

  it('replays a batch under the same Idempotency-Key', async () => {
    const client = await freshClient('batch-idem');
    const headers = { 'idempotency-key': 'batch-once' };
    const body = { executions: [{ code: 'print(1)' }, { code: 'print(2)' }] };
    const first = await client.request('POST', '/v1/executions/batch', body, headers);
    const again = await client.request('POST', '/v1/executions/batch', body, headers);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.ids).toEqual(first.body.ids);
    expect((await historyIds(client)).sort()).toEqual([...first.body.ids].sort());
  });

  it('answers null in ?ids= for unknown ids and for another key executions, and bounds the count', async () => {
    const [a, b] = [await freshClient('many-a'), await freshClient('many-b')];
    const mine = await a.submit('print(1)');
    const theirs = await b.submit('print(1)');
    const many = await a.request('GET', `/v1/executions?ids=${mine},${theirs},not-an-id`);
    expect(many.status).toBe(200);
    expect(many.body.items.map((r: { id: string } | null) => r?.id ?? null)).toEqual([mine, null, null]);
    const tooMany = await a.request('GET', `/v1/executions?ids=${Array.from({ length: 101 }, () => mine).join(',')}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toEqual(['ids must name at most 100 executions (MAX_BATCH)']);
  });
});

describe('the OpenAPI document', () => {
  it('documents batches, history, multi-get, Idempotency-Key, webhooks and the secret rotation, with examples', async () => {
    const document = (await new ApiClient(() => null).request('GET', '/docs-json')).body;
    const batch = document.paths['/v1/executions/batch'].post;
    expect(batch.responses['202']).toBeDefined();
    expect(batch.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]),
    );
    const create = document.paths['/v1/executions'].post;
    expect(create.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['Idempotency-Key', 'wait']),
    );
    expect(create.responses['422']).toBeDefined();
    const list = document.paths['/v1/executions'].get;
    expect(list.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['cursor', 'environment', 'ids', 'limit', 'status'].sort(),
    );
    expect(document.paths['/v1/keys/{id}/webhook-secret'].post).toBeDefined();
    const schemas = document.components.schemas;
    expect(schemas.CreateExecutionDto.properties.webhook).toBeDefined();
    expect(schemas.WebhookDto.properties.url.example).toMatch(/^https:\/\//);
    expect(schemas.CreateExecutionBatchDto.properties.executions.example).toHaveLength(2);
    expect(schemas.ExecutionResultDto.properties.webhook).toBeDefined();
    expect(schemas.WebhookDeliveryDto.properties.status.enum).toEqual(['pending', 'delivered', 'failed']);
    expect(schemas.ExecutionHistoryPageDto.properties.nextCursor.example).toEqual(expect.any(String));
    expect(schemas.CreatedApiKeyDto.properties.webhookSecret.example).toMatch(/^whsec_/);
  });
});
