import { isFinal } from './support/api-client';
import { eventually } from './support/eventually';
import { PrivateRedis } from './support/private-redis';
import { FAST_FAULT_DETECTION, privateStack } from './support/private-stack';
import { expectNoSandboxContainers } from './support/sandbox-containers';

/** Redis of the test's own (AOF fsynced on every write), killed with SIGKILL and started again on the same data. */
describe('a Redis restart', () => {
  const redis = new PrivateRedis();
  let ctx: Awaited<ReturnType<typeof privateStack>>;

  beforeAll(async () => {
    await redis.start();
    ctx = await privateStack('redis', {
      ...FAST_FAULT_DETECTION,
      REDIS_URL: redis.url,
      WORKER_CONCURRENCY: '1',
      WAIT_CAP_MS: '30000',
    });
    await ctx.stack.start(1);
  }, 60_000);

  afterAll(async () => {
    await ctx?.cleanUp();
    await redis.stop();
  });

  const expectUnavailable = async () => {
    const submit = await ctx.request('POST', '/v1/executions', { code: 'print(1)' }, {}, 15_000);
    expect(submit.status).toBe(503);
    expect(submit.body.message).toMatch(/Redis.*unreachable/);
    const ready = await ctx.request('GET', '/health/ready', undefined, {}, 15_000);
    expect(ready.status).toBe(503);
    expect(ready.body.error.redis.status).toBe('down');
  };

  it('while idle: the API answers 503 while Redis is away, and everything works again once it is back', async () => {
    await redis.kill();
    await expectUnavailable();
    await redis.start();
    // Workers and the API reconnect by themselves.
    await ctx.stack.waitUntilReady(60_000);
    expect(await ctx.run('print("after")')).toMatchObject({ status: 'succeeded', stdout: 'after\n' });
  });

  it('while jobs are queued: every accepted job still completes', async () => {
    const accepted = [await ctx.submit('import time\ntime.sleep(2)\nprint("slow")')];
    await ctx.pollUntil(accepted[0], (r) => r.status === 'running');
    for (let i = 0; i < 5; i++) accepted.push(await ctx.submit(`print(${i})`));
    expect((await ctx.request('GET', `/v1/executions/${accepted[5]}`)).body.status).toBe('queued');

    await redis.kill();
    await expectUnavailable();
    await redis.start();

    const results = [];
    for (const id of accepted) results.push(await ctx.pollUntil(id, isFinal, 90_000));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(results.slice(1).map((r) => r.stdout)).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n']);
    await eventually(
      'readiness',
      async () => ((await ctx.request('GET', '/health/ready')).status === 200 ? true : undefined),
      60_000,
    );
    await expectNoSandboxContainers(30_000, ctx.prefix);
  });
});
