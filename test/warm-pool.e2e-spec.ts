import { adminKey } from './support/api-client';
import { freePort, ServiceStack } from './support/service-stack';
import { eventually } from './support/eventually';
import { warmContainersOf } from './support/sandbox-containers';

const POOL_SIZE = 2;
const MAX_IDLE_MS = 3000;

/** A stack of its own, so pool sizes and ages can be set without touching the shared one. */
let stack: ServiceStack;
let workerId: string;
let allowedBefore: string | undefined;

const post = async (body: unknown): Promise<any> => {
  const response = await fetch(`${stack.baseUrl}/v1/executions?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey()}` },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json();
};

interface PoolView {
  idle: number;
  target: number;
  hits: number;
  misses: number;
  seenAt: number;
}

const poolStats = async (): Promise<PoolView> => {
  const health = await (await fetch(`${stack.baseUrl}/health/ready`)).json();
  const worker = health.details.workers.live.find((w: any) => w.id === workerId);
  return { ...worker.pool.default, seenAt: Date.parse(worker.lastSeen) };
};

/** The shared poller, for a probe whose value must pass `ok`. */
const until = <T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> =>
  eventually(
    what,
    async () => {
      const value = await probe();
      return ok(value) ? value : undefined;
    },
    timeoutMs,
  );

/** Full, by a heartbeat sent after this call: an older one may predate the last take. */
const poolFull = () => {
  const since = Date.now() + 50;
  return until('a full pool', poolStats, (s) => s.seenAt > since && s.idle === POOL_SIZE);
};

describe('warm pool', () => {
  beforeAll(async () => {
    stack = new ServiceStack('pool', await freePort(), {
      REDIS_URL: process.env.E2E_REDIS_URL!,
      REDIS_PREFIX: `${process.env.E2E_REDIS_PREFIX}-pool`,
      HEARTBEAT_INTERVAL_MS: '300',
      WORKER_CONCURRENCY: '1',
      POOL_SIZES: `default=${POOL_SIZE}`,
      // Held at its size here; growing on demand has its own stack below.
      POOL_MAX_SIZE: String(POOL_SIZE),
      POOL_MAX_IDLE_MS: String(MAX_IDLE_MS),
    });
    await stack.start(1);
    workerId = [...stack.workers.keys()][0];
    // This stack's waiting containers are expected between tests too.
    allowedBefore = process.env.E2E_WARM_CONTAINERS;
    process.env.E2E_WARM_CONTAINERS = String(Number(allowedBefore ?? 0) + POOL_SIZE);
  });

  afterAll(async () => {
    await stack?.stop();
    process.env.E2E_WARM_CONTAINERS = allowedBefore;
  });

  it('fills up to its size with running, ready containers', async () => {
    await poolFull();
    const warm = await until(
      "the pool's containers",
      () => warmContainersOf(workerId),
      (c) => c.length === POOL_SIZE,
    );
    expect(warm.every((c) => c.State === 'running')).toBe(true);
  });

  it('gives every job a container of its own, never a used one', async () => {
    const hostnames: string[] = [];
    const before = await poolStats();
    for (let i = 0; i < 4; i++) {
      await poolFull(); // each job finds a warm container
      const result = await post({
        code: 'import os, socket\nprint(socket.gethostname(), os.path.exists("/tmp/seen"))\nopen("/tmp/seen", "w").write("x")',
      });
      expect(result.status).toBe('succeeded');
      const [hostname, seen] = result.stdout.trim().split(' ');
      expect(seen).toBe('False'); // nothing from an earlier job is there
      hostnames.push(hostname);
    }
    expect(new Set(hostnames).size).toBe(4);
    const after = await until(
      'four jobs counted',
      poolStats,
      (s) => s.hits + s.misses >= before.hits + before.misses + 4,
    );
    expect(after.hits - before.hits).toBe(4);
  });

  it('refills after containers are taken', async () => {
    await poolFull();
    const before = new Set((await warmContainersOf(workerId)).map((c) => c.Id));
    await Promise.all([post({ code: 'print(1)' }), post({ code: 'print(2)' })]);
    const refilled = await until(
      'new containers in place of the taken ones',
      () => warmContainersOf(workerId),
      (c) => c.length === POOL_SIZE && c.every((x) => x.State === 'running' && !before.has(x.Id)),
    );
    expect(refilled).toHaveLength(POOL_SIZE);
  });

  it('replaces containers that waited longer than the maximum idle age', async () => {
    const before = await poolFull();
    const first = new Set((await warmContainersOf(workerId)).map((c) => c.Id));
    const replaced = await until(
      'every idle container replaced',
      () => warmContainersOf(workerId),
      (c) => c.length === POOL_SIZE && c.every((x) => x.State === 'running' && !first.has(x.Id)),
      MAX_IDLE_MS * 5,
    );
    expect(replaced).toHaveLength(POOL_SIZE);
    const after = await poolStats();
    expect(after.hits + after.misses).toBe(before.hits + before.misses); // no job took them: age did
  });

  it('honours a job whose limits differ from the defaults', async () => {
    await poolFull();
    const before = await poolStats();
    const result = await post({
      code: `
def first(*paths):
    for path in paths:
        try:
            return open(path).read().split()
        except OSError:
            pass
print(first("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")[0])
print(first("/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max")[0])
quota = first("/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
period = first("/sys/fs/cgroup/cpu/cpu.cfs_period_us") if len(quota) == 1 else quota[1:]
print(int(quota[0]) / int(period[0]))
`,
      limits: { memoryMb: 96, pids: 20, cpus: 0.5 },
    });
    expect(result.status).toBe('succeeded');
    expect(result.stdout.trim().split('\n')).toEqual([String(96 * 1024 * 1024), '20', '0.5']);
    const after = await until('the job counted', poolStats, (s) => s.hits + s.misses > before.hits + before.misses);
    expect(after.hits).toBe(before.hits + 1); // it was a warm container, updated before use
  });

  it('reports size, hits and misses in /metrics, as the heartbeat does', async () => {
    const stats = await poolFull();
    const metrics = await (
      await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${adminKey()}` } })
    ).text();
    const value = (name: string) => {
      const line = metrics
        .split('\n')
        .find(
          (l) => l.startsWith(`${name}{`) && l.includes(`worker="${workerId}"`) && l.includes('environment="default"'),
        );
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    expect(value('sps_pool_idle_containers')).toBe(POOL_SIZE);
    expect(value('sps_pool_target_containers')).toBe(POOL_SIZE);
    expect(value('sps_pool_hits')).toBe(stats.hits);
    expect(value('sps_pool_misses')).toBe(stats.misses);
  });

  it('still enforces the updated memory limit', async () => {
    await poolFull();
    const result = await post({ code: 'data = b"x" * (256 * 1024 * 1024)', limits: { memoryMb: 64 } });
    expect(result.status).toBe('oom');
  });
});

describe('warm pool under steady demand', () => {
  const BASE = 1;
  const MAX = 3;
  let grow: ServiceStack;
  let growWorker: string;
  let allowed: string | undefined;

  const stats = async (): Promise<PoolView> => {
    const health = await (await fetch(`${grow.baseUrl}/health/ready`)).json();
    const worker = health.details.workers.live.find((w: any) => w.id === growWorker);
    return { ...worker.pool.default, seenAt: Date.parse(worker.lastSeen) };
  };

  beforeAll(async () => {
    grow = new ServiceStack('pool-grow', await freePort(), {
      REDIS_URL: process.env.E2E_REDIS_URL!,
      REDIS_PREFIX: `${process.env.E2E_REDIS_PREFIX}-grow`,
      HEARTBEAT_INTERVAL_MS: '300',
      WORKER_CONCURRENCY: '2',
      POOL_SIZES: `default=${BASE}`,
      POOL_MAX_SIZE: String(MAX),
      POOL_SHRINK_AFTER_MS: '1500',
    });
    await grow.start(1);
    growWorker = [...grow.workers.keys()][0];
    allowed = process.env.E2E_WARM_CONTAINERS;
    process.env.E2E_WARM_CONTAINERS = String(Number(allowed ?? 0) + MAX);
  });

  afterAll(async () => {
    await grow?.stop();
    process.env.E2E_WARM_CONTAINERS = allowed;
  });

  it('grows while jobs come faster than containers start, up to POOL_MAX_SIZE, and shrinks back when idle', async () => {
    await until('the pool at its base size', stats, (s) => s.idle === BASE);
    // Back to back: each job takes the only container before a new one can be ready.
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${grow.baseUrl}/v1/executions?wait=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey()}` },
        body: JSON.stringify({ code: `print(${i})` }),
      });
      expect((await response.json()).stdout).toBe(`${i}\n`);
    }
    const grown = await until('a larger pool', stats, (s) => s.target > BASE);
    expect(grown.target).toBeLessThanOrEqual(MAX);
    await until('the grown pool filled', stats, (s) => s.idle === s.target && s.target > BASE, 30_000);
    // No job for POOL_SHRINK_AFTER_MS: back to the base size, one step at a time, its extra containers removed.
    const shrunk = await until(
      'the pool back at its base size',
      stats,
      (s) => s.target === BASE && s.idle === BASE,
      30_000,
    );
    expect(shrunk.target).toBe(BASE);
  }, 120_000);
});
