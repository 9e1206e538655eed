import { Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { EnvironmentNotReadyError, EnvironmentUnavailableError } from '../environment-build/environment-errors';
import type { DockerGate } from '../runtime/docker-gate.service';
import { JobInterruptedError } from '../runtime/job-interrupted.error';
import { NoFreeUidError } from '../runtime/sandbox-uids.service';
import { FailureClassifier } from './failure-classifier.service';
import { SandboxFaultError } from './sandbox-fault.error';

const classifier = (dockerUp = true) => {
  const checks: number[] = [];
  const docker = {
    check: async () => (checks.push(Date.now()), { up: dockerUp, version: null }),
  } as unknown as DockerGate;
  return { classifier: new FailureClassifier(docker), checks };
};

const FIRST_OF_THREE = { attemptsMade: 0, attempts: 3 };
const LAST_OF_THREE = { attemptsMade: 2, attempts: 3 };

describe('FailureClassifier', () => {
  let logged: string[];
  beforeEach(() => {
    logged = [];
    const record = (message: unknown) => void logged.push(String(message));
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(record);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(record);
  });
  afterEach(() => jest.restoreAllMocks());

  it('sends a job whose environment is still building back to wait, for as long as the error says', async () => {
    const verdict = await classifier().classifier.classify(
      new EnvironmentNotReadyError('env', 1234),
      'j',
      FIRST_OF_THREE,
    );
    expect(verdict).toEqual({ kind: 'delay', retryInMs: 1234 });
  });

  it('requeues a job the worker interrupted, giving its reason', async () => {
    const verdict = await classifier().classifier.classify(
      new JobInterruptedError('the worker is shutting down'),
      'j',
      LAST_OF_THREE,
    );
    expect(verdict).toEqual({ kind: 'requeue', reason: 'the worker is shutting down' });
  });

  it.each([
    ['a sandbox fault', new SandboxFaultError('could not start')],
    ['an image lookup that failed', new EnvironmentUnavailableError('connect ENOENT /var/run/docker.sock')],
  ])('requeues %s when Docker turns out to be gone: no fault of the job', async (_label, error) => {
    const { classifier: down, checks } = classifier(false);
    await expect(down.classify(error, 'j', LAST_OF_THREE)).resolves.toEqual({
      kind: 'requeue',
      reason: 'Docker is unreachable',
    });
    expect(checks).toHaveLength(1);
  });

  it('fails a sandbox fault while Docker is up, finally only on the last attempt', async () => {
    const fault = new SandboxFaultError('could not start');
    const { classifier: up } = classifier(true);
    await expect(up.classify(fault, 'j', FIRST_OF_THREE)).resolves.toEqual({
      kind: 'fail',
      error: fault,
      final: false,
    });
    await expect(up.classify(fault, 'j', LAST_OF_THREE)).resolves.toEqual({ kind: 'fail', error: fault, final: true });
  });

  it('fails a permanent error finally on any attempt, without asking Docker', async () => {
    const { classifier: up, checks } = classifier(true);
    const unknown = new UnrecoverableError('unknown environment "x"');
    await expect(up.classify(unknown, 'j', FIRST_OF_THREE)).resolves.toEqual({
      kind: 'fail',
      error: unknown,
      final: true,
    });
    expect(checks).toHaveLength(0);
  });

  it('passes an environment that could not be built here through as a retryable fault', async () => {
    const unavailable = new EnvironmentUnavailableError('environment "env" could not be built on worker w');
    await expect(classifier().classifier.classify(unavailable, 'j', FIRST_OF_THREE)).resolves.toEqual({
      kind: 'fail',
      error: unavailable,
      final: false,
    });
  });

  it('retries a job that found every sandbox uid in use, saying so', async () => {
    const busy = new NoFreeUidError();
    await expect(classifier().classifier.classify(busy, 'j', FIRST_OF_THREE)).resolves.toEqual({
      kind: 'fail',
      error: busy,
      final: false,
    });
  });

  it('turns an unexpected error into a fault with a message written for users, and logs the detail', async () => {
    const verdict = await classifier().classifier.classify(new Error('ENOENT /var/lib/secret'), 'job-9', LAST_OF_THREE);
    expect(verdict).toEqual({
      kind: 'fail',
      error: new SandboxFaultError('the worker failed to run the job'),
      final: true,
    });
    expect(verdict.kind === 'fail' && verdict.error.message).not.toMatch(/secret/);
    expect(logged.join('\n')).toMatch(/job-9: unexpected failure: Error: ENOENT \/var\/lib\/secret/);
  });
});
