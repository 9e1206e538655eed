import { request } from './support/api-client';

describe('health', () => {
  it('is live', async () => {
    const response = await request('GET', '/health/live');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
  });

  it('is ready with a live worker that has Docker and the default image', async () => {
    const response = await request('GET', '/health/ready');
    expect(response.status).toBe(200);
    expect(response.body.redis.up).toBe(true);
    expect(response.body.workers.length).toBeGreaterThanOrEqual(1);
    expect(response.body.workers[0]).toMatchObject({ docker: { up: true }, environments: expect.arrayContaining(['default']) });
  });

  it('serves the OpenAPI docs', async () => {
    const response = await request('GET', '/docs-json');
    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/v1/executions', '/v1/executions/{id}', '/execute', '/health/ready']),
    );
  });
});
