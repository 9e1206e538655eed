import Docker from 'dockerode';
import { eventually } from './support/eventually';
import { COLD_CONTAINERS_ONLY, FAST_FAULT_DETECTION, privateStack } from './support/private-stack';
import { expectNoSandboxContainers, listSandboxContainers } from './support/sandbox-containers';
import { exitOf } from './support/service-stack';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });
const LABEL = {
  managed: 'io.simplepysandbox.managed',
  job: 'io.simplepysandbox.job',
  worker: 'io.simplepysandbox.worker',
  deadline: 'io.simplepysandbox.deadline',
  deployment: 'io.simplepysandbox.deployment',
};
const SLEEPER = 'import time\ntime.sleep(120)';

/** The one container of `workerId`, once it is running a job. */
const containerOf = (prefix: string, workerId: string) =>
  eventually(`a running container of ${workerId}`, async () => {
    const found = (await listSandboxContainers(prefix)).filter(
      (c) => c.Labels[LABEL.worker] === workerId && c.State === 'running',
    );
    return found.length ? found[0] : undefined;
  });

const killHard = async (stack: { workers: Map<string, import('node:child_process').ChildProcess> }, id: string) => {
  const child = stack.workers.get(id)!;
  child.kill('SIGKILL');
  expect(await exitOf(child)).toBe('SIGKILL');
};

describe('a worker killed with SIGKILL while a job runs', () => {
  let ctx: Awaited<ReturnType<typeof privateStack>>;

  beforeAll(async () => {
    ctx = await privateStack('crash', {
      ...FAST_FAULT_DETECTION,
      ...COLD_CONTAINERS_ONLY,
      WORKER_CONCURRENCY: '1',
      JOB_MAX_STALLED_COUNT: '1',
      WAIT_CAP_MS: '120000',
    });
    await ctx.stack.start(1);
  });

  afterAll(async () => {
    await ctx?.cleanUp();
  });

  it('re-runs the stalled job on another worker, then ends it as "worker lost", and the waiting caller gets that', async () => {
    const [first] = [...ctx.stack.workers.keys()];
    // A caller waiting synchronously for the whole story.
    const waiting = ctx.request('POST', '/v1/executions?wait=true', { code: SLEEPER, limits: { timeoutMs: 60_000 } });
    const firstContainer = await containerOf(ctx.prefix, first);
    const jobId = firstContainer.Labels[LABEL.job];

    const second = ctx.stack.startWorker();
    await eventually('the second worker to be live', async () => {
      const ready = await ctx.request('GET', '/health/ready');
      return ready.body.details?.workers?.live?.some((w: any) => w.id === second) ? true : undefined;
    });
    await killHard(ctx.stack, first);

    // Detected as stalled and run again, on the worker still alive.
    const secondContainer = await containerOf(ctx.prefix, second);
    expect(secondContainer.Labels[LABEL.job]).toBe(jobId);
    expect((await ctx.request('GET', `/v1/executions/${jobId}`)).body.status).toBe('running');
    // The dead worker's container does not keep running: the reaper removes it.
    await eventually("the dead worker's container to be removed", async () =>
      (await listSandboxContainers(ctx.prefix)).some((c) => c.Labels[LABEL.worker] === first) ? undefined : true,
    );

    // Killed again: past JOB_MAX_STALLED_COUNT, the job fails for good.
    const third = ctx.stack.startWorker();
    await eventually('the third worker to be live', async () => {
      const ready = await ctx.request('GET', '/health/ready');
      return ready.body.details?.workers?.live?.some((w: any) => w.id === third) ? true : undefined;
    });
    await killHard(ctx.stack, second);

    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: jobId, status: 'error', error: 'worker lost' });
    expect((await ctx.request('GET', `/v1/executions/${jobId}`)).body).toMatchObject({
      status: 'error',
      error: 'worker lost',
    });
    // It never ran a third time, and nothing of it is left.
    expect((await listSandboxContainers(ctx.prefix)).filter((c) => c.Labels[LABEL.worker] === third)).toEqual([]);
    await expectNoSandboxContainers(30_000, ctx.prefix);
  });

  it('has the reaper remove labelled containers of dead workers and long-past deadlines, and never unlabelled ones', async () => {
    const live = [...ctx.stack.workers.entries()].find(
      ([, child]) => child.exitCode === null && child.signalCode === null,
    )![0];
    const create = (labels: Record<string, string>) =>
      docker.createContainer({
        Image: 'simplepysandbox/sandbox:latest',
        Cmd: ['python3', '-c', 'pass'],
        Labels: labels,
        NetworkDisabled: true,
      });
    const ours = { [LABEL.managed]: 'true', [LABEL.deployment]: ctx.prefix };
    const ghostOwner = await create({
      ...ours,
      [LABEL.worker]: `${ctx.prefix}-ghost`,
      [LABEL.job]: 'ghost-1',
      [LABEL.deadline]: String(Date.now() + 3_600_000),
    });
    const expired = await create({
      ...ours,
      [LABEL.worker]: live,
      [LABEL.job]: 'ghost-2',
      [LABEL.deadline]: String(Date.now() - 3_600_000),
    });
    const unlabelled = await create({ 'org.example.unrelated': 'yes' });
    // Labelled by this service, but for another deployment sharing the engine: its owner is unknown here, not dead.
    const otherDeployment = await create({
      [LABEL.managed]: 'true',
      [LABEL.deployment]: `${ctx.prefix}-elsewhere`,
      [LABEL.worker]: `${ctx.prefix}-elsewhere-w1`,
      [LABEL.job]: 'elsewhere-1',
      [LABEL.deadline]: String(Date.now() + 3_600_000),
    });
    const youngUnknown = await create({ ...ours, [LABEL.worker]: `${ctx.prefix}-starting`, [LABEL.job]: 'ghost-3' });
    try {
      const exists = async (c: Docker.Container) =>
        c.inspect().then(
          () => true,
          () => false,
        );
      await eventually('the orphans to be removed', async () =>
        !(await exists(ghostOwner)) && !(await exists(expired)) ? true : undefined,
      );
      expect(await exists(unlabelled)).toBe(true);
      // Its worker is unknown, but so young that it may just not have sent its first heartbeat yet; it goes once that excuse runs out.
      await eventually("the unknown worker's container to be removed once old enough", async () =>
        (await exists(youngUnknown)) ? undefined : true,
      );
      expect(await exists(unlabelled)).toBe(true);
      expect(await exists(otherDeployment)).toBe(true);
    } finally {
      for (const c of [ghostOwner, expired, unlabelled, otherDeployment, youngUnknown])
        await c.remove({ force: true }).catch(() => undefined);
    }
  });
});
