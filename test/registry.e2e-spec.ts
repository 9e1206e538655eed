import Docker from 'dockerode';
import { redisClient } from './support/redis-client';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isFinal } from './support/api-client';
import { eventually } from './support/eventually';
import { privateStack } from './support/private-stack';
import { sample } from './support/prometheus-text';
import { TestFleet } from './support/test-fleet';

/*
 * Environments through a real registry, across two real Docker engines on
 * this machine: the host's engine (engine 1) and a second one with its own
 * data root (engine 2), which starts with no images at all. One API; workers
 * come and go on either engine. The tests run in order and share one apt
 * environment, because builds and pulls cost time: build and push on engine 1,
 * pull on engine 2, the registry down during a pull, an image that is not the
 * recorded one, a worker without a registry, and the delete.
 */

const ROOT = join(__dirname, '..');
// privateStack's prefix for 'registry': the deployment label on this run's images.
const RUN = `registry-${process.pid}`;
const ENV = `${RUN}-six`;
const SANDBOX_IMAGE = `simplepysandbox/sandbox:${RUN}`;
const ENV_REPOSITORY = 'simplepysandbox/env';
const ENGINE_1 = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });
const SIX = 'import six; print(six.__name__)';
const PULL_WAIT_MS = 15_000;
const BUILD_MS = 10 * 60_000;

const inspect = (docker: Docker, ref: string) =>
  docker
    .getImage(ref)
    .inspect()
    .catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) return null;
      throw error;
    });

/** Every image of this run's deployment on an engine, by the labels the service gives them. */
const envImages = (docker: Docker) =>
  docker.listImages({ filters: { label: [`io.simplepysandbox.deployment=${RUN}`, 'io.simplepysandbox.environment'] } });

const logLines = (path: string): { msg?: string }[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
    : [];

describe('environments through a registry, across two engines', () => {
  let fleet: TestFleet;
  let ctx: Awaited<ReturnType<typeof privateStack>>;
  let workerA: string;
  let workerB: string;
  let specHash: string;
  let stamp: { specHash: string; digest: string; baseDigest: string };

  const liveWorkers = async (): Promise<any[]> => (await ctx.request('GET', '/health/ready')).body.details.workers.live;
  const heartbeatOf = (id: string, check: (heartbeat: any) => boolean = () => true) =>
    eventually(`a heartbeat from ${id}`, async () => (await liveWorkers()).find((w) => w.id === id && check(w)));
  const imageTotal = async (operation: string, outcome: string): Promise<number> =>
    sample((await ctx.request('GET', '/metrics')).body, 'sps_environment_images_total', { operation, outcome }) ?? 0;
  const runSix = async () => ctx.pollUntil(await ctx.submit(SIX, { environment: ENV }), isFinal, 120_000);
  const workerLog = (id: string) => logLines(ctx.stack.logPath(id)).map((l) => l.msg ?? '');
  const dropFromEngine2 = async () => {
    const image = await inspect(fleet.docker, `${ENV_REPOSITORY}:${ENV}-${specHash}`);
    if (image) await fleet.docker.getImage(image.Id).remove({ force: true });
  };

  beforeAll(async () => {
    fleet = await TestFleet.start('registry-e2e');
    // The documented way to put the default image in the registry; engine 2 gets it from there.
    await promisify(execFile)('npm', ['run', '--silent', 'image:base', '--', '--push'], {
      cwd: ROOT,
      env: { ...process.env, SANDBOX_IMAGE, ...fleet.registrySettings },
    });
    ctx = await privateStack('registry', {
      SANDBOX_IMAGE,
      ...fleet.registrySettings,
      POOL_SIZES: 'default=0',
      HEARTBEAT_INTERVAL_MS: '500',
      HEARTBEAT_TTL_MS: '2500',
      ENV_SWEEP_INTERVAL_MS: '2000',
      ENV_DATASCIENCE: 'off',
    });
    await ctx.stack.start(1);
    workerA = [...ctx.stack.workers.keys()][0];
  }, 5 * 60_000);

  afterEach(async () => {
    // Engine 2 is this spec's alone: with no warm pool, no sandbox container may outlive its job there.
    const left = await eventually('engine 2 to have no sandbox containers', async () => {
      const containers = await fleet.docker.listContainers({
        all: true,
        filters: { label: ['io.simplepysandbox.managed=true'] },
      });
      return containers.length ? undefined : containers;
    });
    expect(left).toEqual([]);
  });

  afterAll(async () => {
    await ctx?.cleanUp();
    if (!fleet) return;
    await fleet.stop();
    // Engine 1 is shared: only the names this spec gave.
    const names = [
      SANDBOX_IMAGE,
      `${fleet.registryUrl}/${SANDBOX_IMAGE}`,
      `${fleet.registryUrl}/${ENV_REPOSITORY}:${RUN}-impostor`,
    ];
    for (const image of await envImages(ENGINE_1)) names.push(image.Id);
    for (const name of names)
      await ENGINE_1.getImage(name)
        .remove({ force: true })
        .catch(() => undefined);
  }, 120_000);

  it(
    'builds a version once on engine 1, pushes it, and records its digest; the job there carries the stamp',
    async () => {
      const created = await ctx.request('POST', '/v1/environments', { name: ENV, apt: ['python3-six'] });
      expect(created.status).toBe(202);
      specHash = created.body.specHash;
      const { events } = await ctx.readEvents(`/v1/environments/${ENV}/build-log`, { timeoutMs: BUILD_MS });
      expect(JSON.parse(events.find((e) => e.event === 'end')!.data)).toEqual({ status: 'ready', error: null });

      const detail = (await ctx.request('GET', `/v1/environments/${ENV}`)).body;
      const defaultImage = await inspect(ENGINE_1, SANDBOX_IMAGE);
      expect(detail.registryDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      // The registry holds the version under its own tag, at exactly the recorded digest.
      expect(await fleet.manifestDigest(ENV_REPOSITORY, `${ENV}-${specHash}`)).toBe(detail.registryDigest);
      expect(detail.buildLog).toContain(
        `pushed ${fleet.registryUrl}/${ENV_REPOSITORY}:${ENV}-${specHash} (${detail.registryDigest})`,
      );
      stamp = detail.reproducibility;
      expect(stamp).toEqual({ specHash, digest: detail.imageId, baseDigest: defaultImage!.Id });
      expect((await inspect(ENGINE_1, `${ENV_REPOSITORY}:${ENV}-${specHash}`))!.Id).toBe(stamp.digest);

      const result = await runSix();
      expect(result).toMatchObject({ status: 'succeeded', stdout: 'six\n', workerId: workerA, reproducibility: stamp });
      // Default jobs carry a stamp too: the default image's content digest.
      const plain = await ctx.run('print(1)');
      expect(plain.reproducibility).toEqual({
        specHash: null,
        digest: defaultImage!.Id,
        baseDigest: defaultImage!.Config.Labels['io.simplepysandbox.base-digest'],
      });
    },
    BUILD_MS,
  );

  it('a worker on engine 2 gets the default image and the version from the registry: one build in all, the same digest', async () => {
    expect(await inspect(fleet.docker, SANDBOX_IMAGE)).toBeNull();
    workerB = ctx.stack.startWorker({ DOCKER_SOCKET: fleet.socket, ENV_WAIT_MS: String(PULL_WAIT_MS) });
    // Pulled at start, since engine 2 lacks it: the same bits as on engine 1.
    const heartbeat = await heartbeatOf(workerB, (w) => w.environments.includes('default'));
    expect(heartbeat.registry).toBe(fleet.registryUrl);
    expect(heartbeat.images).toEqual([
      { environment: 'default', specHash: null, digest: (await inspect(ENGINE_1, SANDBOX_IMAGE))!.Id },
    ]);

    await ctx.stack.stopWorker(workerA);
    const onNoWorker = await eventually('readiness to list the environment as on no live worker', async () => {
      const { body } = await ctx.request('GET', '/health/ready');
      const live = body.details.workers.live.map((w: any) => w.id);
      return live.includes(workerA) ? undefined : body.details.environments.onNoWorker;
    });
    expect(onNoWorker).toEqual([{ name: ENV, specHash, inRegistry: true }]);

    const result = await runSix();
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'six\n', workerId: workerB, reproducibility: stamp });
    expect((await inspect(fleet.docker, `${ENV_REPOSITORY}:${ENV}-${specHash}`))!.Id).toBe(stamp.digest);
    await heartbeatOf(workerB, (w) => w.images.some((i: any) => i.environment === ENV && i.digest === stamp.digest));
    await eventually('readiness to find the environment on a live worker', async () =>
      (await ctx.request('GET', '/health/ready')).body.details.environments.onNoWorker.length === 0 ? true : undefined,
    );

    expect(await imageTotal('build', 'ok')).toBe(1);
    expect(await imageTotal('push', 'ok')).toBe(1);
    expect(await imageTotal('pull', 'ok')).toBe(2); // the default image and the version, both on engine 2
    const built = (id: string) => workerLog(id).filter((m) => m.startsWith(`environment ${ENV}: built `));
    expect(built(workerA)).toHaveLength(1);
    expect(built(workerB)).toEqual([]);
    expect(workerLog(workerB)).toContain(
      `environment ${ENV}: pulled ${fleet.registryUrl}/${ENV_REPOSITORY}@${(await ctx.request('GET', `/v1/environments/${ENV}`)).body.registryDigest}`,
    );
  });

  it('a job waits while the registry is down during its pull: it runs when the registry is back, or ends as a clear error after ENV_WAIT_MS', async () => {
    await dropFromEngine2();
    await fleet.stopRegistry();
    try {
      const failedPulls = await imageTotal('pull', 'failed');
      const abandoned = await ctx.submit(SIX, { environment: ENV });
      await eventually('a failed pull', async () =>
        (await imageTotal('pull', 'failed')) > failedPulls ? true : undefined,
      );
      await eventually('the job to wait rather than fail', async () =>
        (await ctx.request('GET', `/v1/executions/${abandoned}`)).body.status === 'queued' ? true : undefined,
      );
      const failed = await ctx.pollUntil(abandoned, isFinal, PULL_WAIT_MS + 60_000);
      expect(failed.status).toBe('error');
      expect(failed.error).toMatch(
        new RegExp(
          `^environment "${ENV}": its image could not be pulled within \\d+ s \\(ENV_WAIT_MS\\): could not pull ${fleet.registryUrl}/`,
        ),
      );

      const failedBefore = await imageTotal('pull', 'failed');
      const rescued = await ctx.submit(SIX, { environment: ENV });
      await eventually('another failed pull', async () =>
        (await imageTotal('pull', 'failed')) > failedBefore ? true : undefined,
      );
      await eventually('the job to wait rather than fail', async () =>
        (await ctx.request('GET', `/v1/executions/${rescued}`)).body.status === 'queued' ? true : undefined,
      );
      await fleet.startRegistry();
      const result = await ctx.pollUntil(rescued, isFinal, PULL_WAIT_MS + 60_000);
      expect(result).toMatchObject({ status: 'succeeded', workerId: workerB, reproducibility: stamp });
    } finally {
      await fleet.startRegistry().catch(() => undefined);
    }
  });

  it('refuses an image from the registry that is not the recorded version, and removes it', async () => {
    await dropFromEngine2();
    // Another image in the same repository (the default image, with none of the version's labels), pushed from engine 1,
    // and a record that names its digest: the registry answers that digest faithfully, but it is not this version.
    const impostor = `${fleet.registryUrl}/${ENV_REPOSITORY}:${RUN}-impostor`;
    const [repo, tag] = [impostor.slice(0, impostor.lastIndexOf(':')), `${RUN}-impostor`];
    await ENGINE_1.getImage(SANDBOX_IMAGE).tag({ repo, tag });
    const push = await ENGINE_1.getImage(impostor).push({ authconfig: fleet.auth });
    await new Promise((resolve, reject) =>
      ENGINE_1.modem.followProgress(push, (e: Error | null) => (e ? reject(e) : resolve(null))),
    );
    const impostorDigest = await fleet.manifestDigest(ENV_REPOSITORY, tag);
    expect(impostorDigest).toMatch(/^sha256:/);

    const redis = redisClient(ctx.redisUrl);
    try {
      const key = `${ctx.prefix}:envs`;
      const recorded = (await redis.hget(key, ENV))!;
      const record = JSON.parse(recorded);
      for (const version of [record.active, record.latest]) version.registryDigest = impostorDigest;
      await redis.hset(key, ENV, JSON.stringify(record));
      try {
        const result = await runSix();
        expect(result.status).toBe('error');
        expect(result.error).toBe(
          `environment "${ENV}": the image ${fleet.registryUrl}/${ENV_REPOSITORY}@${impostorDigest} does not match the recorded version ` +
            `(it is the image of no environment version, not of ${ENV} at spec ${specHash}); it was removed and nothing ran in it`,
        );
        expect(await inspect(fleet.docker, `${fleet.registryUrl}/${ENV_REPOSITORY}@${impostorDigest}`)).toBeNull();
        expect(await inspect(fleet.docker, `${ENV_REPOSITORY}:${ENV}-${specHash}`)).toBeNull();
      } finally {
        await redis.hset(key, ENV, recorded);
      }
    } finally {
      redis.disconnect();
    }
  });

  it(
    'a worker without REGISTRY_URL in the same fleet builds the version itself, and says so in its heartbeat',
    async () => {
      await ctx.stack.stopWorker(workerB);
      const unregistered = ctx.stack.startWorker({
        DOCKER_SOCKET: fleet.socket,
        REGISTRY_URL: '',
        REGISTRY_USERNAME: '',
        REGISTRY_PASSWORD: '',
      });
      expect((await heartbeatOf(unregistered)).registry).toBeNull();
      expect(await inspect(fleet.docker, `${ENV_REPOSITORY}:${ENV}-${specHash}`)).toBeNull();

      const result = await runSix();
      expect(result).toMatchObject({ status: 'succeeded', stdout: 'six\n', workerId: unregistered });
      // The same version, other bits: what a result says without a registry.
      expect(result.reproducibility.specHash).toBe(specHash);
      expect(result.reproducibility.digest).not.toBe(stamp.digest);
      expect(workerLog(unregistered).filter((m) => m.startsWith(`environment ${ENV}: built `))).toHaveLength(1);
      expect(await imageTotal('build', 'ok')).toBe(2);
      await heartbeatOf(unregistered, (w) =>
        w.images.some((i: any) => i.environment === ENV && i.digest === result.reproducibility.digest),
      );
    },
    BUILD_MS,
  );

  it('deleting the environment drops its image on both engines', async () => {
    const again = ctx.stack.startWorker();
    await heartbeatOf(again, (w) => w.environments.includes(ENV));
    expect(await envImages(ENGINE_1)).toHaveLength(1);
    expect(await envImages(fleet.docker)).toHaveLength(1);

    expect((await ctx.request('DELETE', `/v1/environments/${ENV}`)).status).toBe(204);
    await eventually('both engines to drop the image', async () =>
      (await envImages(ENGINE_1)).length + (await envImages(fleet.docker)).length === 0 ? true : undefined,
    );
    expect(await inspect(ENGINE_1, stamp.digest)).toBeNull();
  });
});
