import { asKey, createKey, request } from './support/api-client';

/** GET /v1/limits reports exactly what POST /v1/executions enforces, for the calling key. */
describe('GET /v1/limits', () => {
  it('needs a key', async () => {
    expect((await asKey(null).request('GET', '/v1/limits')).status).toBe(401);
  });

  it("reports the server's maxima to a key without its own, as the maxima a job is refused above", async () => {
    const { status, body: limits } = await request('GET', '/v1/limits');
    expect(status).toBe(200);
    expect(Object.keys(limits).sort()).toEqual(['defaults', 'max', 'request']);
    const refused = await request('POST', '/v1/executions', {
      code: 'pass',
      limits: { memoryMb: limits.max.memoryMb + 1, timeoutMs: limits.max.timeoutMs + 1 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual([
      `limits.timeoutMs must not be greater than ${limits.max.timeoutMs} (the server's maximum)`,
      `limits.memoryMb must not be greater than ${limits.max.memoryMb} (the server's maximum)`,
    ]);
    for (const key of Object.keys(limits.defaults)) expect(limits.defaults[key]).toBeLessThanOrEqual(limits.max[key]);
    const tooManyArgs = await request('POST', '/v1/executions', {
      code: 'pass',
      args: Array(limits.request.args + 1).fill('a'),
    });
    expect(tooManyArgs.body.message).toEqual([`args must have at most ${limits.request.args} entries`]);
  });

  it("reports a key's own maxima, and defaults held under them; a job at the maximum runs, one above it is refused", async () => {
    const server = (await request('GET', '/v1/limits')).body;
    const memoryMb = Math.max(32, Math.floor(server.defaults.memoryMb / 2));
    const timeoutMs = Math.max(1000, Math.floor(server.defaults.timeoutMs / 2));
    const held = asKey((await createKey('limits-held', { quotas: { maxLimits: { memoryMb, timeoutMs } } })).key);
    const { body: limits } = await held.request('GET', '/v1/limits');
    expect(limits.max).toEqual({ ...server.max, memoryMb, timeoutMs });
    expect(limits.defaults).toEqual({ ...server.defaults, memoryMb, timeoutMs });
    expect(limits.request).toEqual(server.request);

    const atMax = await held.request('POST', '/v1/executions?wait=true', { code: 'print("ok")', limits: { memoryMb } });
    expect(atMax.status).toBe(200);
    expect(atMax.body.status).toBe('succeeded');
    const above = await held.request('POST', '/v1/executions', { code: 'pass', limits: { memoryMb: memoryMb + 1 } });
    expect(above.status).toBe(400);
    expect(above.body.message).toEqual([
      `limits.memoryMb must not be greater than ${memoryMb} (this API key's maximum)`,
    ]);
  });

  it('is in the OpenAPI document', async () => {
    const document = (await asKey(null).request('GET', '/docs-json')).body;
    expect(document.paths['/v1/limits'].get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ExecutionLimitsDto',
    );
    expect(Object.keys(document.components.schemas.ExecutionLimitsDto.properties).sort()).toEqual([
      'defaults',
      'max',
      'request',
    ]);
  });
});
