import { isFinal } from './support/api-client';
import { DockerSocketProxy } from './support/docker-socket-proxy';
import { eventually, sleep } from './support/eventually';
import { FAST_FAULT_DETECTION, privateStack } from './support/private-stack';
import { expectNoSandboxContainers } from './support/sandbox-containers';

/** The worker reaches Docker only through a socket proxy the test cuts and restores; the shared dockerd is untouched. */
describe('the Docker engine becoming unreachable', () => {
  const proxy = new DockerSocketProxy();
  let ctx: Awaited<ReturnType<typeof privateStack>>;

  beforeAll(async () => {
    await proxy.open();
    ctx = await privateStack('docker', { ...FAST_FAULT_DETECTION, DOCKER_SOCKET: proxy.path, WORKER_CONCURRENCY: '2' });
    await ctx.stack.start(1);
  }, 60_000);

  afterAll(async () => {
    await ctx?.cleanUp();
    await proxy.close();
  });

  it('is reported in the heartbeat and readiness, fails no job, and jobs run once Docker is back', async () => {
    expect(await ctx.run('print("before")')).toMatchObject({ status: 'succeeded' });

    await proxy.cut();
    // Submitted at once: some may reach the worker before its heartbeat notices; none may fail for it.
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await ctx.submit(`print(${i})`));

    const ready = await eventually('readiness to report Docker down', async () => {
      const response = await ctx.request('GET', '/health/ready');
      return response.status === 503 && response.body.details.workers.live[0]?.docker.up === false
        ? response
        : undefined;
    });
    expect(ready.body.details.workers.live[0]).toMatchObject({
      docker: { up: false, version: null },
      environments: [],
    });
    expect(ready.body.error.workers.message).toBe('no live worker has Docker up and the default image');

    // Several heartbeats later, the jobs are still waiting: none was taken and failed.
    await sleep(3000);
    for (const id of ids) expect((await ctx.request('GET', `/v1/executions/${id}`)).body.status).toBe('queued');

    await proxy.open();
    await ctx.stack.waitUntilReady(30_000);
    const results = [];
    for (const id of ids) results.push(await ctx.pollUntil(id, isFinal, 60_000));
    expect(results.map((r) => [r.status, r.stdout])).toEqual([0, 1, 2, 3].map((i) => ['succeeded', `${i}\n`]));
    await expectNoSandboxContainers(10_000, ctx.prefix);
  });
});
