import { CPU_COUNT, EnvReader, readSandboxConfig } from '@sps/config';
import type { ExecutionJobData } from '@sps/queue';
import { UnrecoverableError } from 'bullmq';
import { ExecutionRunnerService } from './execution-runner.service';

const sandbox = readSandboxConfig(new EnvReader({}));
const SETTINGS: Record<string, unknown> = { sandbox, 'worker.id': 'worker-7' };

/** What the runner reads of a job before it needs a container; these cases never get that far. */
const data = (fields: Partial<ExecutionJobData> = {}): ExecutionJobData =>
  ({
    limits: sandbox.defaults,
    network: false,
    environment: 'default',
    createdAt: '2030-01-01T00:00:00.000Z',
    ...fields,
  }) as ExecutionJobData;

/** A runner whose collaborators only record that they were reached: these cases end before any container. */
const setup = ({ cancelRequested = false } = {}) => {
  const reached: string[] = [];
  const images = { imageFor: async () => (reached.push('image'), 'img:1') };
  const cancellations = { isRequested: async () => cancelRequested, track: () => reached.push('track') };
  const pool = { take: async () => (reached.push('pool'), null) };
  const runner = new ExecutionRunnerService(
    {} as never,
    images as never,
    cancellations as never,
    pool as never,
    {} as never,
    {} as never,
    {} as never,
    { get: (key: string) => SETTINGS[key] } as never,
  );
  return { runner, reached };
};

describe('ExecutionRunnerService.run', () => {
  it('refuses, for good and saying why, a job that asks for more CPUs than this host has, rather than shrinking it', async () => {
    const { runner, reached } = setup();
    const cpus = CPU_COUNT + 0.5;
    const attempt = runner.run('job-1', data({ limits: { ...sandbox.defaults, cpus } }));
    await expect(attempt).rejects.toThrow(
      new UnrecoverableError(`limits.cpus is ${cpus}, more than the ${CPU_COUNT} CPUs of worker worker-7`),
    );
    expect(reached).toEqual([]);
  });

  it('runs nothing for a job cancelled before it started, and says which worker saw the cancel', async () => {
    const { runner, reached } = setup({ cancelRequested: true });
    const result = await runner.run('job-1', data({ environment: 'default' }));
    expect(result).toMatchObject({
      id: 'job-1',
      status: 'cancelled',
      workerId: 'worker-7',
      startedAt: null,
      usage: null,
      environment: 'default',
    });
    expect(Date.parse(result.finishedAt!)).not.toBeNaN();
    expect(reached).toEqual(['image']);
  });

  it('refuses network on a worker that does not allow it, before any container', async () => {
    const { runner, reached } = setup();
    await expect(runner.run('job-1', data({ network: true }))).rejects.toThrow(
      new UnrecoverableError('network access is disabled on this worker'),
    );
    expect(reached).toEqual(['image']);
  });
});
