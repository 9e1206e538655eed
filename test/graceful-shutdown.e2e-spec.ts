import { Queue } from 'bullmq';
import Docker from 'dockerode';
import { isFinal } from './support/api-client';
import { eventually } from './support/eventually';
import { FAST_FAULT_DETECTION, privateStack } from './support/private-stack';
import { bullConnection } from './support/redis-client';
import { expectNoSandboxContainers } from './support/sandbox-containers';
import { exitOf } from './support/service-stack';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });

describe('graceful shutdown on SIGTERM', () => {
  let ctx: Awaited<ReturnType<typeof privateStack>>;
  let queue: Queue;

  beforeAll(async () => {
    ctx = await privateStack('shutdown', { ...FAST_FAULT_DETECTION, WORKER_CONCURRENCY: '1', WAIT_CAP_MS: '60000' });
    await ctx.stack.start(0);
    queue = new Queue('executions', { connection: bullConnection(ctx.redisUrl), prefix: ctx.prefix });
  }, 60_000);

  afterAll(async () => {
    await queue?.close();
    await ctx?.cleanUp();
  });

  const startWorker = async (env: Record<string, string>): Promise<string> => {
    const id = ctx.stack.startWorker(env);
    await ctx.stack.waitUntilReady();
    return id;
  };

  it('lets a running job finish within the grace period, then exits 0', async () => {
    const worker = await startWorker({ WORKER_SHUTDOWN_GRACE_MS: '60000' });
    const id = await ctx.submit('import time\ntime.sleep(2)\nprint("finished")');
    await ctx.pollUntil(id, (r) => r.status === 'running');
    const child = ctx.stack.workers.get(worker)!;
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect((await ctx.request('GET', `/v1/executions/${id}`)).body).toMatchObject({
      status: 'succeeded',
      stdout: 'finished\n',
      workerId: worker,
    });
    await expectNoSandboxContainers(10_000, ctx.prefix);
  });

  it('removes, as it stops, a container of its own it never knew of (a create whose answer an engine outage lost)', async () => {
    const worker = await startWorker({ WORKER_SHUTDOWN_GRACE_MS: '60000' });
    const stray = await docker.createContainer({
      Image: process.env.SANDBOX_IMAGE ?? 'simplepysandbox/sandbox:latest',
      Labels: {
        'io.simplepysandbox.managed': 'true',
        'io.simplepysandbox.deployment': ctx.prefix,
        'io.simplepysandbox.worker': worker,
        'io.simplepysandbox.job': 'warm-pool',
        'io.simplepysandbox.deadline': String(Date.now() + 3600_000),
      },
      HostConfig: { NetworkMode: 'none' },
    });
    const child = ctx.stack.workers.get(worker)!;
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    await expect(stray.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('past the grace period, kills the container and returns the job to the queue without using an attempt', async () => {
    const impatient = await startWorker({ WORKER_SHUTDOWN_GRACE_MS: '500' });
    const id = await ctx.submit('import time\ntime.sleep(5)\nprint("finished")', { limits: { timeoutMs: 30_000 } });
    await ctx.pollUntil(id, (r) => r.status === 'running');
    const child = ctx.stack.workers.get(impatient)!;
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);

    expect((await ctx.request('GET', `/v1/executions/${id}`)).body.status).toBe('queued');
    const job = await queue.getJob(id);
    expect(job?.attemptsMade).toBe(0);
    await expectNoSandboxContainers(10_000, ctx.prefix);

    // The next worker runs it from the start, to the end.
    const next = await startWorker({ WORKER_SHUTDOWN_GRACE_MS: '60000' });
    const result = await ctx.pollUntil(id, isFinal, 60_000);
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'finished\n', workerId: next });
  });

  it('has the API finish in-flight requests before it exits 0', async () => {
    await startWorker({ WORKER_SHUTDOWN_GRACE_MS: '60000' });
    const waiting = ctx.request('POST', '/v1/executions?wait=true', {
      code: 'import time\ntime.sleep(2)\nprint("answered")',
    });
    // The request is in flight once its job is running.
    await eventually('the job to run', async () =>
      (await queue.getJobCounts('active')).active === 1 ? true : undefined,
    );
    const api = ctx.stack.apiProcess!;
    api.kill('SIGTERM');
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'succeeded', stdout: 'answered\n' });
    expect(await exitOf(api)).toBe(0);
    await expect(fetch(`${ctx.stack.baseUrl}/health/live`)).rejects.toThrow();
  });
});
