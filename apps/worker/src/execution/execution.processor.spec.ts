import type { LogContext } from '@sps/logging';
import type { ExecutionJob, ExecutionSummary } from '@sps/queue';
import { DelayedError, WaitingError } from 'bullmq';
import type { DockerGate } from '../runtime/docker-gate.service';
import type { AttemptOutcome, ExecutionAttempt } from './execution-attempt.service';
import { ExecutionProcessor } from './execution.processor';
import { SandboxFaultError } from './sandbox-fault.error';

const CONFIG: Record<string, unknown> = {
  queue: { lockDurationMs: 2000, stalledIntervalMs: 1000, maxStalledCount: 1 },
  redis: { url: 'redis://127.0.0.1:1', prefix: 'test' },
  'worker.concurrency': 2,
};

const setup = (outcome: AttemptOutcome) => {
  const bindings: unknown[] = [];
  const logContext = {
    run: (context: unknown, body: () => unknown) => (bindings.push(context), body()),
  } as unknown as LogContext;
  const attempts = { run: async () => outcome } as unknown as ExecutionAttempt;
  const processor = new ExecutionProcessor(
    attempts,
    {} as DockerGate,
    logContext,
    {} as never,
    {
      get: (key: string) => CONFIG[key],
    } as never,
  );
  const job = {
    id: 'job-1',
    moveToDelayed: jest.fn(async () => undefined),
    moveToWait: jest.fn(async () => undefined),
  };
  return { processor, job, jobRef: job as unknown as ExecutionJob, bindings };
};

describe('ExecutionProcessor', () => {
  it('returns the summary of a job that ran, with the job id on its log lines', async () => {
    const summary = { status: 'succeeded' } as ExecutionSummary;
    const { processor, jobRef, bindings } = setup({ kind: 'done', summary });
    await expect(processor.process(jobRef)).resolves.toBe(summary);
    expect(bindings).toEqual([{ jobId: 'job-1' }]);
  });

  it('moves a job that must wait for its environment to the delayed list', async () => {
    const { processor, job, jobRef } = setup({ kind: 'delay', retryInMs: 5000 });
    const before = Date.now();
    await expect(processor.process(jobRef, 'token')).rejects.toBeInstanceOf(DelayedError);
    const [until, token] = job.moveToDelayed.mock.calls[0] as unknown as [number, string];
    expect(until).toBeGreaterThanOrEqual(before + 5000);
    expect(token).toBe('token');
    expect(job.moveToWait).not.toHaveBeenCalled();
  });

  it('moves a job that is no fault of its own back to the waiting list', async () => {
    const { processor, job, jobRef } = setup({ kind: 'requeue', reason: 'Docker is unreachable' });
    await expect(processor.process(jobRef, 'token')).rejects.toBeInstanceOf(WaitingError);
    expect(job.moveToWait).toHaveBeenCalledWith('token');
  });

  it('throws the error of a failed job for BullMQ to record or retry', async () => {
    const error = new SandboxFaultError('the container engine could not start a sandbox');
    const { processor, job, jobRef } = setup({ kind: 'fail', error, final: false });
    await expect(processor.process(jobRef, 'token')).rejects.toBe(error);
    expect(job.moveToWait).not.toHaveBeenCalled();
  });
});
