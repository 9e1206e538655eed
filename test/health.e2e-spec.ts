import { request } from './support/api-client';

describe('health', () => {
  it('is live', async () => {
    const response = await request('GET', '/health/live');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
  });

  it('is ready, with Redis latency, queue counts and every live worker in the details', async () => {
    const response = await request('GET', '/health/ready');
    expect(response.status).toBe(200);
    const { details } = response.body;
    expect(response.body.status).toBe('ok');
    expect(details.redis).toMatchObject({ status: 'up', latencyMs: expect.any(Number) });
    expect(details.queues).toMatchObject({
      status: 'up',
      executions: {
        waiting: expect.any(Number),
        active: expect.any(Number),
        delayed: expect.any(Number),
        failed: expect.any(Number),
      },
    });
    expect(details.workers.status).toBe('up');
    expect(details.workers.live.length).toBeGreaterThanOrEqual(1);
    const worker = details.workers.live.find((w: any) => w.id.startsWith(`${process.env.E2E_REDIS_PREFIX}-`));
    expect(worker).toMatchObject({
      host: expect.any(String),
      pid: expect.any(Number),
      concurrency: 2,
      busy: expect.any(Number),
      docker: { up: true, version: expect.any(String) },
      environments: expect.arrayContaining(['default']),
    });
    expect(Date.parse(worker.lastSeen)).not.toBeNaN();
  });

  it('serves the OpenAPI docs', async () => {
    const response = await request('GET', '/docs-json');
    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/v1/executions', '/v1/executions/{id}', '/execute', '/health/ready']),
    );
  });
});
