import { MONITORED_QUEUES } from '../libs/queue/src/queue.constants';
import { sleep } from './support/eventually';
import { FAST_FAULT_DETECTION, privateStack } from './support/private-stack';

const BLOCKER = 'import time\ntime.sleep(60)';

describe('backpressure, retention and the queue dashboard', () => {
  let ctx: Awaited<ReturnType<typeof privateStack>>;

  beforeAll(async () => {
    ctx = await privateStack('limits', {
      ...FAST_FAULT_DETECTION,
      WORKER_CONCURRENCY: '1',
      MAX_QUEUED_JOBS: '2',
      QUEUE_FULL_RETRY_AFTER_SECONDS: '7',
      RESULT_TTL_SECONDS: '10',
      QUEUE_DASHBOARD: 'true',
    });
    await ctx.stack.start(1);
  }, 60_000);

  afterAll(async () => {
    await ctx?.cleanUp();
  });

  it('refuses submissions past the cap with 429 and Retry-After, and keeps every job it accepted', async () => {
    const running = await ctx.submit(BLOCKER, { limits: { timeoutMs: 60_000 } });
    await ctx.pollUntil(running, (r) => r.status === 'running');
    const queued = [await ctx.submit('print(1)'), await ctx.submit('print(2)')];

    for (const path of ['/v1/executions', '/v1/executions?wait=true', '/execute']) {
      const refused = await ctx.request('POST', path, { code: 'print(3)' });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('7');
      expect(refused.body.message).toBe('the queue is full (2 jobs waiting, the cap is 2): try again later');
    }
    // Nothing refused was added; everything accepted is still there.
    const counts = (await ctx.request('GET', '/health/ready')).body.details.queues.executions;
    // Every execution carries its fair-share round as a BullMQ priority, so waiting jobs count as "prioritized".
    expect(counts).toMatchObject({ waiting: 0, prioritized: 2, active: 1 });
    for (const id of queued) expect((await ctx.request('GET', `/v1/executions/${id}`)).body.status).toBe('queued');

    expect((await ctx.request('DELETE', `/v1/executions/${running}`)).body.status).toBe('cancelled');
    for (const id of queued)
      expect((await ctx.pollUntil(id, (r) => r.status === 'succeeded')).status).toBe('succeeded');
    // Room again.
    expect((await ctx.run('print("room")')).stdout).toBe('room\n');
  });

  it('answers 404 with a clear message once a result has expired', async () => {
    const old = await ctx.run('print("old")');
    expect((await ctx.request('GET', `/v1/executions/${old.id}`)).status).toBe(200);
    await sleep(11_000); // past RESULT_TTL_SECONDS: it expires by itself, with no later job needed
    const expired = await ctx.request('GET', `/v1/executions/${old.id}`);
    expect(expired.status).toBe(404);
    expect(expired.body.message).toBe(
      `execution ${old.id} not found: it never existed, was deleted, or its result has expired (results are kept 10 s)`,
    );
  });

  it('serves Bull Board at /admin/queues when QUEUE_DASHBOARD is on', async () => {
    const page = await ctx.request('GET', '/admin/queues');
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('<html');
    const queues = await ctx.request('GET', '/admin/queues/api/queues');
    expect(queues.status).toBe(200);
    // Every monitored queue: the executions and the environment builds.
    expect(queues.body.queues.map((q: any) => q.name)).toEqual([...MONITORED_QUEUES]);
    expect(MONITORED_QUEUES).toContain('executions');
  });
});
