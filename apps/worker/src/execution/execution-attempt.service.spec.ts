import { Logger } from '@nestjs/common';
import { NO_OUTPUT, type ExecutionJob, type ExecutionQueue, type FairShare, type StoredReport } from '@sps/queue';
import { UnrecoverableError } from 'bullmq';
import type { DockerGate } from '../runtime/docker-gate.service';
import { JobInterruptedError } from '../runtime/job-interrupted.error';
import { ExecutionAttempt } from './execution-attempt.service';
import type { ExecutionRunnerService, FinishedRun } from './execution-runner.service';
import { FailureClassifier } from './failure-classifier.service';
import { SandboxFaultError } from './sandbox-fault.error';

const job = (fields: { attemptsMade?: number; attempts?: number; priority?: number } = {}): ExecutionJob =>
  ({
    id: 'job-1',
    priority: fields.priority ?? 3,
    attemptsMade: fields.attemptsMade ?? 0,
    opts: { attempts: fields.attempts ?? 3 },
    data: { ownerKeyId: 'owner-1', environment: 'default', createdAt: '2030-01-01T00:00:00.000Z' },
  }) as unknown as ExecutionJob;

const result: FinishedRun = {
  report: {
    status: 'succeeded',
    usage: { wallMs: 1, cpuMs: 1, peakMemoryBytes: 1 },
    files: [],
  } as unknown as StoredReport,
  output: NO_OUTPUT,
};

const setup = (ran: () => Promise<FinishedRun>) => {
  const run = async (_id: string, _data: unknown, record: (run: FinishedRun) => Promise<unknown>) =>
    record(await ran());
  const calls: string[] = [];
  const fairShare = {
    started: async (round: number) => void calls.push(`started ${round}`),
    release: async (owner: string, id: string) => void calls.push(`release ${owner} ${id}`),
  } as unknown as FairShare;
  const store = {
    save: async (owner: string, identity: { id: string }, report: StoredReport) => {
      calls.push(`save ${owner} ${identity.id} ${report.status}`);
      return '{}';
    },
  };
  const counters = { executionFinished: async () => undefined };
  const catalogue = { get: async () => null };
  const webhooks = { finalReached: async (id: string) => void calls.push(`webhook ${id}`) };
  // Docker stays up, so failures are the job's own.
  const docker = { check: async () => ({ up: true, version: null }) } as unknown as DockerGate;
  const attempt = new ExecutionAttempt(
    { run } as unknown as ExecutionRunnerService,
    new FailureClassifier(docker),
    fairShare,
    {} as ExecutionQueue,
    store as never,
    counters as never,
    catalogue as never,
    webhooks as never,
  );
  return { attempt, calls };
};

const failing = (error: Error) => () => Promise.reject(error);

describe('ExecutionAttempt', () => {
  beforeEach(() => {
    for (const level of ['log', 'warn', 'error'] as const)
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it("advances the fair-share clock to the job's round, and releases and stores the job once it has run", async () => {
    const { attempt, calls } = setup(async () => result);
    await expect(attempt.run(job({ priority: 42 }))).resolves.toMatchObject({
      kind: 'done',
      summary: { status: 'succeeded', stdoutBytes: 0 },
    });
    // Released before the result is stored: whoever hears of it may submit again at once. Its webhook goes once it is stored.
    expect(calls).toEqual(['started 42', 'release owner-1 job-1', 'save owner-1 job-1 succeeded', 'webhook job-1']);
  });

  it('keeps a job that will be retried counted against its key', async () => {
    const { attempt, calls } = setup(failing(new SandboxFaultError('engine down')));
    await expect(attempt.run(job({ attemptsMade: 0, attempts: 3 }))).resolves.toMatchObject({
      kind: 'fail',
      final: false,
    });
    expect(calls).toEqual(['started 3']);
  });

  it('releases a job on its last attempt, and stores its failure', async () => {
    const { attempt, calls } = setup(failing(new SandboxFaultError('engine down')));
    await expect(attempt.run(job({ attemptsMade: 2, attempts: 3 }))).resolves.toMatchObject({
      kind: 'fail',
      final: true,
    });
    expect(calls).toEqual(['started 3', 'release owner-1 job-1', 'save owner-1 job-1 error', 'webhook job-1']);
  });

  it('releases a job that failed for good', async () => {
    const { attempt, calls } = setup(failing(new UnrecoverableError('unknown environment "x"')));
    const outcome = await attempt.run(job());
    expect(outcome.kind === 'fail' && outcome.error).toBeInstanceOf(UnrecoverableError);
    expect(calls).toContain('release owner-1 job-1');
  });

  it('keeps a job that goes back to the queue counted against its key', async () => {
    const { attempt, calls } = setup(failing(new JobInterruptedError('the worker is shutting down')));
    await expect(attempt.run(job())).resolves.toEqual({ kind: 'requeue', reason: 'the worker is shutting down' });
    expect(calls).toEqual(['started 3']);
  });

  it('starts the job even when the fair-share clock cannot be advanced', async () => {
    const { attempt } = setup(async () => result);
    (attempt as unknown as { fairShare: FairShare }).fairShare.started = () => Promise.reject(new Error('redis down'));
    await expect(attempt.run(job())).resolves.toMatchObject({ kind: 'done' });
  });
});
