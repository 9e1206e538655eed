import { Logger } from '@nestjs/common';
import type { ExecutionJob, ExecutionQueue, ExecutionResult, FairShare } from '@sps/queue';
import { UnrecoverableError } from 'bullmq';
import type { DockerGate } from '../runtime/docker-gate.service';
import { JobInterruptedError } from '../runtime/job-interrupted.error';
import { ExecutionAttempt } from './execution-attempt.service';
import type { ExecutionRunnerService } from './execution-runner.service';
import { FailureClassifier } from './failure-classifier.service';
import { SandboxFaultError } from './sandbox-fault.error';

const job = (fields: { attemptsMade?: number; attempts?: number; priority?: number } = {}): ExecutionJob =>
  ({
    id: 'job-1',
    priority: fields.priority ?? 3,
    attemptsMade: fields.attemptsMade ?? 0,
    opts: { attempts: fields.attempts ?? 3 },
    data: { ownerKeyId: 'owner-1' },
  }) as unknown as ExecutionJob;

const result = { status: 'succeeded', usage: { wallMs: 1 } } as ExecutionResult;

const setup = (run: () => Promise<ExecutionResult>) => {
  const calls: string[] = [];
  const fairShare = {
    started: async (round: number) => void calls.push(`started ${round}`),
    release: async (owner: string, id: string) => void calls.push(`release ${owner} ${id}`),
  } as unknown as FairShare;
  // Docker stays up, so failures are the job's own.
  const docker = { check: async () => ({ up: true, version: null }) } as unknown as DockerGate;
  const attempt = new ExecutionAttempt(
    { run } as unknown as ExecutionRunnerService,
    new FailureClassifier(docker),
    fairShare,
    {} as ExecutionQueue,
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

  it("advances the fair-share clock to the job's round, and releases the job once it has run", async () => {
    const { attempt, calls } = setup(async () => result);
    await expect(attempt.run(job({ priority: 42 }))).resolves.toEqual({ kind: 'done', result });
    expect(calls).toEqual(['started 42', 'release owner-1 job-1']);
  });

  it('keeps a job that will be retried counted against its key', async () => {
    const { attempt, calls } = setup(failing(new SandboxFaultError('engine down')));
    await expect(attempt.run(job({ attemptsMade: 0, attempts: 3 }))).resolves.toMatchObject({
      kind: 'fail',
      final: false,
    });
    expect(calls).toEqual(['started 3']);
  });

  it('releases a job on its last attempt', async () => {
    const { attempt, calls } = setup(failing(new SandboxFaultError('engine down')));
    await expect(attempt.run(job({ attemptsMade: 2, attempts: 3 }))).resolves.toMatchObject({
      kind: 'fail',
      final: true,
    });
    expect(calls).toContain('release owner-1 job-1');
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
    await expect(attempt.run(job())).resolves.toEqual({ kind: 'done', result });
  });
});
