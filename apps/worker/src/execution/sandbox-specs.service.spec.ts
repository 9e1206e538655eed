import { EnvReader, readSandboxConfig } from '@sps/config';
import { SANDBOX_LABELS, sandboxResources } from '@sps/sandbox';
import { DEADLINE_SLACK_MS, SandboxSpecs, WARM_POOL_JOB } from './sandbox-specs.service';

const sandbox = readSandboxConfig(new EnvReader({}));
const SETTINGS: Record<string, unknown> = { sandbox, 'worker.id': 'worker-7', 'redis.prefix': 'deploy-x' };
/** Hands out uids in turn and remembers for how long each was asked for. */
const leases: number[] = [];
const uids = { lease: async (lifetimeMs: number) => 20_000 + leases.push(lifetimeMs) - 1 };
const specs = new SandboxSpecs(uids as never, { get: (key: string) => SETTINGS[key] } as never);
const NOW = 1_800_000_000_000;

describe('SandboxSpecs.sandboxSpecFor', () => {
  beforeEach(() => leases.splice(0));

  it("labels a job's container with its job, this worker, this deployment, and a deadline past its lifetime", async () => {
    const limits = { ...sandbox.defaults, memoryMb: 512, timeoutMs: 4000 };
    const spec = await specs.sandboxSpecFor(
      { id: 'job-1', image: 'img:1', limits, network: false, lifetimeMs: limits.timeoutMs },
      NOW,
    );
    expect(spec.Image).toBe('img:1');
    expect(spec.Labels).toMatchObject({
      [SANDBOX_LABELS.job]: 'job-1',
      [SANDBOX_LABELS.worker]: 'worker-7',
      [SANDBOX_LABELS.deployment]: 'deploy-x',
      [SANDBOX_LABELS.deadline]: String(NOW + 4000 + DEADLINE_SLACK_MS),
    });
    expect(spec.HostConfig).toMatchObject(sandboxResources(limits));
  });

  it('leases each container a uid of its own, for as long as its deadline label says it may live', async () => {
    const first = await specs.sandboxSpecFor(
      { id: 'job-1', image: 'img:1', limits: sandbox.defaults, network: false, lifetimeMs: 4000 },
      NOW,
    );
    const second = await specs.sandboxSpecFor(
      { id: WARM_POOL_JOB, image: 'img:1', limits: sandbox.defaults, network: false, lifetimeMs: 9000 },
      NOW,
    );
    expect([first.User, second.User]).toEqual(['20000:20000', '20001:20001']);
    expect([first.Labels?.[SANDBOX_LABELS.uid], second.Labels?.[SANDBOX_LABELS.uid]]).toEqual(['20000', '20001']);
    expect(leases).toEqual([4000 + DEADLINE_SLACK_MS, 9000 + DEADLINE_SLACK_MS]);
    expect(Number(second.Labels?.[SANDBOX_LABELS.deadline])).toBe(NOW + leases[1]);
  });

  it('gives a pre-started container the same hardened spec as a cold one, at the default limits', async () => {
    const cold = await specs.sandboxSpecFor(
      { id: 'job-1', image: 'img:1', limits: sandbox.defaults, network: false, lifetimeMs: 1000 },
      NOW,
    );
    const warm = await specs.sandboxSpecFor(
      { id: WARM_POOL_JOB, image: 'img:1', limits: sandbox.defaults, network: false, lifetimeMs: 1000 },
      NOW,
    );
    // Only the uid (a new lease each), the labels and the unique name differ.
    const uidFree = (spec: typeof cold) => ({
      ...spec,
      name: undefined,
      User: undefined,
      Labels: undefined,
      HostConfig: { ...spec.HostConfig, Tmpfs: undefined },
    });
    expect(uidFree(warm)).toEqual(uidFree(cold));
    expect(warm.Labels?.[SANDBOX_LABELS.job]).toBe(WARM_POOL_JOB);
    expect(warm.name).toMatch(/^sps-deploy-x-[0-9a-f-]{36}$/);
    expect(warm.name).not.toBe(cold.name);
  });

  it('keeps a job that asks for network off it when the server does not allow network', async () => {
    const spec = await specs.sandboxSpecFor(
      { id: 'job-1', image: 'img:1', limits: sandbox.defaults, network: true, lifetimeMs: 1000 },
      NOW,
    );
    expect(spec.HostConfig?.NetworkMode).toBe('none');
  });
});
