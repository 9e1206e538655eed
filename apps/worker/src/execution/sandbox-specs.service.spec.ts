import { EnvReader, readSandboxConfig } from '@sps/config';
import { SANDBOX_LABELS, sandboxResources } from '@sps/sandbox';
import { DEADLINE_SLACK_MS, SandboxSpecs, WARM_POOL_JOB } from './sandbox-specs.service';

const sandbox = readSandboxConfig(new EnvReader({}));
const SETTINGS: Record<string, unknown> = { sandbox, 'worker.id': 'worker-7', 'redis.prefix': 'deploy-x' };
const specs = new SandboxSpecs({ get: (key: string) => SETTINGS[key] } as never);
const NOW = 1_800_000_000_000;

describe('SandboxSpecs.sandboxSpecFor', () => {
  it("labels a job's container with its job, this worker, this deployment, and a deadline past its lifetime", () => {
    const limits = { ...sandbox.defaults, memoryMb: 512, timeoutMs: 4000 };
    const spec = specs.sandboxSpecFor(
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

  it('gives a pre-started container the same hardened spec as a cold one, at the default limits', () => {
    const cold = specs.sandboxSpecFor(
      { id: 'job-1', image: 'img:1', limits: sandbox.defaults, network: false, lifetimeMs: 1000 },
      NOW,
    );
    const warm = specs.sandboxSpecFor(
      { id: WARM_POOL_JOB, image: 'img:1', limits: sandbox.defaults, network: false, lifetimeMs: 1000 },
      NOW,
    );
    expect({ ...warm, Labels: undefined }).toEqual({ ...cold, Labels: undefined });
    expect(warm.Labels?.[SANDBOX_LABELS.job]).toBe(WARM_POOL_JOB);
  });

  it('keeps a job that asks for network off it when the server does not allow network', () => {
    const spec = specs.sandboxSpecFor(
      { id: 'job-1', image: 'img:1', limits: sandbox.defaults, network: true, lifetimeMs: 1000 },
      NOW,
    );
    expect(spec.HostConfig?.NetworkMode).toBe('none');
  });
});
