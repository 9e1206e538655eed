import { FAST_FAULT_DETECTION, privateStack } from './support/private-stack';
import { expectNoSandboxContainers } from './support/sandbox-containers';

describe('horizontal scaling', () => {
  let ctx: Awaited<ReturnType<typeof privateStack>>;

  beforeAll(async () => {
    ctx = await privateStack('scale', { ...FAST_FAULT_DETECTION, WORKER_CONCURRENCY: '2' });
    await ctx.stack.start(2);
  }, 60_000);

  afterAll(async () => {
    await ctx?.cleanUp();
  });

  it('shares 20 jobs between two workers against one Redis, and all of them succeed', async () => {
    const workers = [...ctx.stack.workers.keys()];
    const ready = await ctx.request('GET', '/health/ready');
    expect(ready.body.details.workers.live.map((w: any) => w.id).sort()).toEqual([...workers].sort());

    // Each job holds its slot a little, so the second worker gets work before the first frees one.
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await ctx.submit(`import time\ntime.sleep(0.5)\nprint(${i})`));
    const results = [];
    for (const id of ids)
      results.push(await ctx.pollUntil(id, (r) => r.status !== 'queued' && r.status !== 'running', 120_000));

    expect(results.map((r) => r.status)).toEqual(Array(20).fill('succeeded'));
    expect(results.map((r) => r.stdout)).toEqual(ids.map((_, i) => `${i}\n`));
    const ranBy = new Set(results.map((r) => r.workerId));
    expect([...ranBy].sort()).toEqual([...workers].sort());
    await expectNoSandboxContainers(10_000, ctx.prefix);
  });
});
