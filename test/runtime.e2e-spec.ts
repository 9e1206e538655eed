import Docker from 'dockerode';
import { ApiClient, asKey } from './support/api-client';
import { deleteKeysUnder } from './support/redis-keys';
import { freePort, ServiceStack } from './support/service-stack';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });

/**
 * SANDBOX_RUNTIME picks the OCI runtime Docker starts sandboxes with (gVisor's
 * runsc, Kata, crun...). crun comes from Debian and is registered with the
 * engine by scripts/prereqs.sh; a stack of its own runs its worker with it.
 */
describe('SANDBOX_RUNTIME', () => {
  let stack: ServiceStack;
  let client: ApiClient;

  beforeAll(async () => {
    const info = await docker.info();
    if (!info.Runtimes?.crun) throw new Error('the Docker engine has no "crun" runtime: run `bash scripts/prereqs.sh`');
    stack = new ServiceStack('runtime', await freePort(), {
      REDIS_PREFIX: `${process.env.E2E_REDIS_PREFIX}-runtime`,
      SANDBOX_RUNTIME: 'crun',
      POOL_SIZES: 'default=0',
      JOB_ATTEMPTS: '1',
      WAIT_CAP_MS: '20000',
      HEARTBEAT_INTERVAL_MS: '1000',
    });
    await stack.start(1);
    client = asKey(process.env.E2E_ADMIN_KEY!, stack.baseUrl);
  });

  afterAll(async () => {
    await stack.stop();
    await deleteKeysUnder(process.env.E2E_REDIS_URL!, stack.prefix);
  });

  it('starts sandboxes with the configured runtime, and they run jobs', async () => {
    const id = await client.submit('import time\ntime.sleep(60)', { limits: { timeoutMs: 60_000 } });
    await client.pollUntil(id, (r) => r.status === 'running');
    // "running" is set when the worker takes the job, a moment before its container exists.
    let container: Docker.ContainerInfo | undefined;
    for (let tries = 0; !container && tries < 100; tries++) {
      [container] = await docker.listContainers({
        filters: { label: [`io.simplepysandbox.job=${id}`], status: ['running'] },
      });
      if (!container) await new Promise((r) => setTimeout(r, 100));
    }
    expect(container).toBeDefined();
    const inspected = await docker.getContainer(container!.Id).inspect();
    expect(inspected.HostConfig.Runtime).toBe('crun');
    expect(inspected.State.Running).toBe(true);
    expect((await client.request('DELETE', `/v1/executions/${id}`)).body.status).toBe('cancelled');

    const result = await client.run(
      'import os\nprint(os.getuid(), open("/proc/self/status").read().count("CapEff:\\t0000000000000000"))',
    );
    expect(result).toMatchObject({ status: 'succeeded', stdout: expect.stringMatching(/^2\d{4} 1\n$/) });
  });

  it('passes the setting to Docker as it is: an unknown runtime fails the job as a service error', async () => {
    const [crunWorker] = stack.workers.keys();
    await stack.stopWorker(crunWorker);
    stack.startWorker({ SANDBOX_RUNTIME: 'no-such-runtime' });
    await stack.waitUntilReady();
    const result = await client.run('print("never runs")');
    expect(result).toMatchObject({
      status: 'error',
      error: 'the container engine could not start a sandbox',
      stdout: '',
    });
  });
});
