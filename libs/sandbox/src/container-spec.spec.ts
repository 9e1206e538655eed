import { EnvReader, readSandboxConfig, SandboxConfig, SandboxLimits } from '@sps/config';
import type { ContainerCreateOptions } from 'dockerode';
import { buildSandboxSpec, SANDBOX_WORKDIR, SandboxSpecInput } from './container-spec';
import { SANDBOX_LABELS } from './sandbox-labels';
import { SANDBOX_SECCOMP_OPTION } from './seccomp-profile';

const config: SandboxConfig = readSandboxConfig(new EnvReader({}));
// The maximum CPU count defaults to the host's, so it is pinned here to keep the snapshot the same on every machine.
const maxLimits: SandboxLimits = readSandboxConfig(new EnvReader({ SANDBOX_MAX_CPUS: '4' })).max;

const input = (overrides: Partial<SandboxSpecInput> = {}): SandboxSpecInput => ({
  image: 'simplepysandbox/sandbox:latest',
  deployment: 'sps',
  jobId: 'job-0001',
  workerId: 'worker-a',
  limits: config.defaults,
  network: false,
  uid: 20_017,
  deadline: 1_700_000_000_000,
  ...overrides,
});

/**
 * The spec with its seccomp profile, one long line of JSON, named instead: the
 * profile has a readable snapshot of its own (seccomp-profile.spec.ts).
 */
const withProfileNamed = (spec: ContainerCreateOptions): ContainerCreateOptions => {
  const securityOpt: string[] = spec.HostConfig?.SecurityOpt ?? [];
  expect(securityOpt.filter((option: string) => option === SANDBOX_SECCOMP_OPTION)).toHaveLength(1);
  return {
    ...spec,
    HostConfig: {
      ...spec.HostConfig,
      SecurityOpt: securityOpt.map((option: string) =>
        option === SANDBOX_SECCOMP_OPTION ? 'seccomp=<SANDBOX_SECCOMP_PROFILE>' : option,
      ),
    },
  };
};

/** Everything the container would see in its environment, as names. */
const envNames = (env: string[] | undefined): string[] =>
  (env ?? []).map((entry) => entry.slice(0, entry.indexOf('=')));

const ALLOWED_ENV = [
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'MPLBACKEND',
  'MPLCONFIGDIR',
  'XDG_CACHE_HOME',
  'OPENBLAS_NUM_THREADS',
  'OMP_NUM_THREADS',
];

describe('buildSandboxSpec', () => {
  it('matches the snapshot for a job at the default limits', () => {
    expect(withProfileNamed(buildSandboxSpec(input(), config))).toMatchSnapshot();
  });

  it('matches the snapshot for a job at the maximum limits', () => {
    expect(maxLimits).toEqual({ ...config.max, cpus: 4 });
    expect(withProfileNamed(buildSandboxSpec(input({ limits: maxLimits }), config))).toMatchSnapshot();
  });

  describe.each<[string, SandboxLimits]>([
    ['default limits', config.defaults],
    ['maximum limits', maxLimits],
  ])('at %s', (_label, limits) => {
    const spec = buildSandboxSpec(input({ limits }), config);
    const host = spec.HostConfig!;

    it('has no network', () => {
      expect(host.NetworkMode).toBe('none');
      expect(spec.NetworkDisabled).toBe(true);
    });

    it('has a read-only root file system', () => {
      expect(host.ReadonlyRootfs).toBe(true);
    });

    it('drops every capability and adds none', () => {
      expect(host.CapDrop).toEqual(['ALL']);
      expect(host.CapAdd ?? []).toEqual([]);
    });

    it("forbids privilege escalation, applies the project's seccomp profile and leaves AppArmor on", () => {
      expect(host.SecurityOpt).toContain('no-new-privileges:true');
      expect(host.SecurityOpt).toContain(SANDBOX_SECCOMP_OPTION);
      for (const option of host.SecurityOpt ?? []) expect(option).not.toMatch(/unconfined/i);
    });

    it('is not privileged and runs an init process', () => {
      expect(host.Privileged).toBe(false);
      expect(host.Init).toBe(true);
    });

    it('sets memory from the limits and allows no swap', () => {
      expect(host.Memory).toBe(limits.memoryMb * 1024 * 1024);
      expect(host.MemorySwap).toBe(host.Memory);
    });

    it('sets the CPU and process limits', () => {
      expect(host.NanoCpus).toBe(limits.cpus * 1e9);
      expect(host.PidsLimit).toBe(limits.pids);
    });

    it('runs as the unprivileged uid it was given', () => {
      const [user, group] = (spec.User ?? '').split(':');
      expect(['', '0', 'root']).not.toContain(user);
      expect(['', '0', 'root']).not.toContain(group);
      expect(spec.User).toBe('20017:20017');
    });

    it('keeps no container log', () => {
      expect(host.LogConfig?.Type).toBe('none');
    });

    it('mounts the working directory, /tmp and /dev/shm as size- and inode-limited, non-executable tmpfs', () => {
      const mounts = host.Tmpfs ?? {};
      expect(Object.keys(mounts).sort()).toEqual([SANDBOX_WORKDIR, '/tmp', '/dev/shm'].sort());
      const expectedSize: Record<string, number> = {
        [SANDBOX_WORKDIR]: config.workdirMb,
        '/tmp': config.tmpMb,
        '/dev/shm': config.shmMb,
      };
      for (const [path, options] of Object.entries(mounts)) {
        const flags = options.split(',');
        expect(flags).toEqual(
          expect.arrayContaining([
            'noexec',
            'nosuid',
            'nodev',
            `size=${expectedSize[path]}m`,
            `nr_inodes=${config.tmpfsInodes}`,
          ]),
        );
        expect(flags).not.toContain('exec');
        expect(flags).not.toContain('suid');
      }
    });

    it('never restarts or removes itself, and disables core dumps', () => {
      expect(host.RestartPolicy).toEqual({ Name: 'no' });
      expect(host.AutoRemove).toBe(false);
      expect(host.Ulimits).toContainEqual({ Name: 'core', Soft: 0, Hard: 0 });
      expect(host.Ulimits).toContainEqual({ Name: 'nofile', Soft: config.nofile, Hard: config.nofile });
    });
  });

  it('gives the job no network when it asks for one but the server does not allow it', () => {
    expect(config.allowNetwork).toBe(false);
    const spec = buildSandboxSpec(input({ network: true }), config);
    expect(spec.HostConfig?.NetworkMode).toBe('none');
    expect(spec.NetworkDisabled).toBe(true);
  });

  it('gives the job the configured network only when it asks and the server allows it', () => {
    const allowing = readSandboxConfig(
      new EnvReader({ SANDBOX_ALLOW_NETWORK: 'true', SANDBOX_NETWORK: 'sandbox-net' }),
    );
    const asked = buildSandboxSpec(input({ network: true }), allowing);
    expect(asked.HostConfig?.NetworkMode).toBe('sandbox-net');
    expect(asked.NetworkDisabled).toBe(false);
    const notAsked = buildSandboxSpec(input({ network: false }), allowing);
    expect(notAsked.HostConfig?.NetworkMode).toBe('none');
    expect(notAsked.NetworkDisabled).toBe(true);
  });

  it('labels the container with its job, worker, deadline and uid', () => {
    const spec = buildSandboxSpec(input({ jobId: 'j-42', workerId: 'w-7', deadline: 123456, uid: 20_001 }), config);
    expect(spec.Labels).toEqual({
      [SANDBOX_LABELS.managed]: 'true',
      [SANDBOX_LABELS.deployment]: 'sps',
      [SANDBOX_LABELS.job]: 'j-42',
      [SANDBOX_LABELS.worker]: 'w-7',
      [SANDBOX_LABELS.deadline]: '123456',
      [SANDBOX_LABELS.uid]: '20001',
    });
  });

  it('runs as the uid it is given and gives it the three tmpfs mounts', () => {
    const spec = buildSandboxSpec(input({ uid: 24_242 }), config);
    expect(spec.User).toBe('24242:24242');
    const mounts = Object.values(spec.HostConfig?.Tmpfs ?? {});
    expect(mounts).toHaveLength(3);
    for (const options of mounts) expect(options).toContain('uid=24242,gid=24242');
  });

  describe('environment', () => {
    const saved = { ...process.env };

    beforeEach(() => {
      process.env.SECRET_TOKEN = 'x';
      process.env.AWS_SECRET_ACCESS_KEY = 'y';
      process.env.REDIS_URL = 'redis://user:password@redis:6379';
    });

    afterEach(() => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    });

    it('passes nothing from the worker environment', () => {
      const env = buildSandboxSpec(input(), config).Env ?? [];
      const names = envNames(env);
      expect(names).not.toContain('SECRET_TOKEN');
      expect(names).not.toContain('AWS_SECRET_ACCESS_KEY');
      expect(names).not.toContain('REDIS_URL');
      for (const entry of env) {
        expect(entry).not.toContain('password');
        expect(entry).not.toBe('SECRET_TOKEN=x');
      }
    });

    it('holds only the fixed list of variables', () => {
      const names = envNames(buildSandboxSpec(input(), config).Env);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(ALLOWED_ENV).toContain(name);
      const leaked = Object.keys(process.env).filter((key) => !ALLOWED_ENV.includes(key) && names.includes(key));
      expect(leaked).toEqual([]);
    });

    it('keeps HOME and TMPDIR inside /tmp, and names a user for a uid that has no passwd entry', () => {
      const env = buildSandboxSpec(input(), config).Env ?? [];
      expect(env).toContain('HOME=/tmp');
      expect(env).toContain('TMPDIR=/tmp');
      expect(env).toEqual(expect.arrayContaining(['USER=sandbox', 'LOGNAME=sandbox']));
    });
  });
});
