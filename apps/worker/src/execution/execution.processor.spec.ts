import type { LogContext } from '@sps/logging';
import { UnrecoverableError } from 'bullmq';
import type { DockerGate } from './docker-gate.service';
import type { ExecutionJob, ExecutionOutcome, ExecutionQueue, FairShare } from '@sps/queue';
import type { ExecutionRunnerService } from './execution-runner.service';
import { SandboxFaultError } from './execution-runner.service';
import { ExecutionProcessor } from './execution.processor';
import { JobInterruptedError } from './job-interrupted.error';

const job = (fields: { attemptsMade?: number; attempts?: number; priority?: number } = {}): ExecutionJob =>
  ({
    id: 'job-1',
    priority: fields.priority ?? 3,
    attemptsMade: fields.attemptsMade ?? 0,
    opts: { attempts: fields.attempts ?? 3 },
    data: { ownerKeyId: 'owner-1' },
  }) as unknown as ExecutionJob;

const setup = (run: () => Promise<ExecutionOutcome>) => {
  const calls: string[] = [];
  const fairShare = {
    started: async (round: number) => void calls.push(`started ${round}`),
    release: async (owner: string, id: string) => void calls.push(`release ${owner} ${id}`),
  } as unknown as FairShare;
  const runner = { run } as unknown as ExecutionRunnerService;
  // Docker stays up, so failures are the job's own; the log context just runs the handler.
  const docker = { check: async () => ({ up: true }), onChange: () => undefined } as unknown as DockerGate;
  const logContext = { run: (_context: unknown, body: () => unknown) => body() } as unknown as LogContext;
  const processor = new ExecutionProcessor(runner, docker, logContext, fairShare, {} as ExecutionQueue, { get: () => 1 } as any);
  return { processor, calls };
};

const outcome = { status: 'succeeded', usage: { wallMs: 1 } } as ExecutionOutcome;

describe('ExecutionProcessor', () => {
  it('advances the fair-share clock to the job\'s round, and releases the job once it has run', async () => {
    const { processor, calls } = setup(async () => outcome);
    await expect(processor.process(job({ priority: 42 }))).resolves.toBe(outcome);
    expect(calls).toEqual(['started 42', 'release owner-1 job-1']);
  });

  it('keeps a job that will be retried counted against its key', async () => {
    const { processor, calls } = setup(async () => {
      throw new SandboxFaultError('engine down');
    });
    await expect(processor.process(job({ attemptsMade: 0, attempts: 3 }))).rejects.toThrow('engine down');
    expect(calls).toEqual(['started 3']);
  });

  it('releases a job on its last attempt', async () => {
    const { processor, calls } = setup(async () => {
      throw new SandboxFaultError('engine down');
    });
    await expect(processor.process(job({ attemptsMade: 2, attempts: 3 }))).rejects.toThrow('engine down');
    expect(calls).toContain('release owner-1 job-1');
  });

  it('releases a job that failed for good', async () => {
    const { processor, calls } = setup(async () => {
      throw new UnrecoverableError('unknown environment "x"');
    });
    await expect(processor.process(job())).rejects.toThrow(UnrecoverableError);
    expect(calls).toContain('release owner-1 job-1');
  });

  it('keeps a job that goes back to the queue counted against its key', async () => {
    const { processor, calls } = setup(async () => {
      throw new JobInterruptedError('the worker is shutting down');
    });
    const interrupted = { ...job(), moveToWait: async () => undefined } as unknown as ExecutionJob;
    await expect(processor.process(interrupted, 'token')).rejects.toThrow();
    expect(calls).toEqual(['started 3']);
  });

  it('turns an unexpected error into a fault with a message written for users', async () => {
    const { processor } = setup(async () => {
      throw new Error('ENOENT /var/lib/secret');
    });
    await expect(processor.process(job())).rejects.toThrow(new SandboxFaultError('the worker failed to run the job'));
  });
});
