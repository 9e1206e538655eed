import { CPU_COUNT, EnvReader, readApiConfig, readSandboxConfig } from '@sps/config';
import type { ExecutionJobData } from '@sps/queue';
import { UnrecoverableError } from 'bullmq';
import { ExecutionRunnerService } from './execution-runner.service';
import { JobDataVerifier } from './job-data.verifier';
import { ExecutionOutputTap } from '../runtime/execution-output.tap';

// A maximum above this host's CPUs, so that the host's own count is what refuses the job below.
const sandbox = readSandboxConfig(new EnvReader({ SANDBOX_MAX_CPUS: String(CPU_COUNT + 1) }));
const SETTINGS: Record<string, unknown> = { sandbox, api: readApiConfig(new EnvReader({})), 'worker.id': 'worker-7' };
const config = { get: (key: string) => SETTINGS[key] } as never;

/** What the runner reads of a job before it needs a container; these cases never get that far. */
const data = (fields: Partial<ExecutionJobData> = {}): ExecutionJobData =>
  ({
    code: 'print(1)',
    stdin: '',
    args: [],
    files: [],
    limits: sandbox.defaults,
    network: false,
    environment: 'default',
    createdAt: '2030-01-01T00:00:00.000Z',
    ...fields,
  }) as ExecutionJobData;

/** A runner whose collaborators only record that they were reached: these cases end before any container. */
const setup = ({ cancelRequested = false } = {}) => {
  const reached: string[] = [];
  const stamp = { specHash: null, digest: 'sha256:1', baseDigest: null };
  const images = { imageFor: async () => (reached.push('image'), { image: 'sha256:1', stamp }) };
  const cancellations = {
    isRequested: async () => (reached.push('check'), cancelRequested),
    track: () => (reached.push('track'), new AbortController().signal),
    untrack: () => reached.push('untrack'),
  };
  const pool = { take: async () => (reached.push('pool'), null) };
  const runner = new ExecutionRunnerService(
    {} as never,
    images as never,
    cancellations as never,
    pool as never,
    {} as never,
    {} as never,
    new JobDataVerifier(config),
    new ExecutionOutputTap(),
    config,
  );
  return { runner, reached };
};

describe('ExecutionRunnerService.run', () => {
  it('refuses, for good and saying why, a job that asks for more CPUs than this host has, rather than shrinking it', async () => {
    const { runner, reached } = setup();
    const cpus = CPU_COUNT + 0.5;
    const attempt = runner.run('job-1', data({ limits: { ...sandbox.defaults, cpus } }), async (run) => run);
    await expect(attempt).rejects.toThrow(
      new UnrecoverableError(
        `refused by worker worker-7: limits.cpus is ${cpus}, more than the ${CPU_COUNT} CPUs of worker worker-7`,
      ),
    );
    expect(reached).toEqual([]);
  });

  it('refuses, before anything else, a job whose data breaks a limit of this worker', async () => {
    const { runner, reached } = setup();
    const attempt = runner.run(
      'job-1',
      data({ limits: { ...sandbox.defaults, memoryMb: 1 << 20 } }),
      async (run) => run,
    );
    await expect(attempt).rejects.toThrow(
      new UnrecoverableError(
        "refused by worker worker-7: limits.memoryMb is 1048576, above this worker's maximum of 2048",
      ),
    );
    expect(reached).toEqual([]);
  });

  it('runs nothing for a job cancelled before it started, and says which worker saw the cancel', async () => {
    const { runner, reached } = setup({ cancelRequested: true });
    const { report, output } = await runner.run('job-1', data({ environment: 'default' }), async (run) => run);
    expect(report).toMatchObject({ status: 'cancelled', workerId: 'worker-7', startedAt: null, usage: null });
    expect(output.stdout.length + output.stderr.length + output.files.length).toBe(0);
    expect(Date.parse(report.finishedAt!)).not.toBeNaN();
    // Watching for a cancel begins before the flag is read: a cancel in between is never lost.
    expect(reached).toEqual(['image', 'track', 'check', 'untrack']);
  });

  it('refuses network on a worker that does not allow it, before any container', async () => {
    const { runner, reached } = setup();
    await expect(runner.run('job-1', data({ network: true }), async (run) => run)).rejects.toThrow(
      new UnrecoverableError('network access is disabled on this worker'),
    );
    expect(reached).toEqual(['image']);
  });
});
