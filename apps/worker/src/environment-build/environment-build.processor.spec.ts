import { WaitingError } from 'bullmq';
import { EnvironmentBuildProcessor } from './environment-build.processor';
import { BuildInterruptedError } from './environment-image-builder.service';

const logContext = { run: (_bindings: unknown, work: () => Promise<unknown>) => work() };
const job = () => ({
  id: 'build-1',
  data: { name: 'env', buildId: 'build-1', specHash: 'abc' },
  moveToWait: jest.fn(async () => undefined),
});

/** A build that runs until it is stopped, then reports the interruption as the build service does. */
const stoppableBuild = () => ({
  run: jest.fn(
    (_data: unknown, stop: AbortSignal) =>
      new Promise((_resolve, reject) => stop.addEventListener('abort', () => reject(new BuildInterruptedError()))),
  ),
});

const processorWith = (builds: unknown) => {
  const config = { get: () => ({ url: 'redis://127.0.0.1:1', prefix: 'test' }) };
  const processor = new EnvironmentBuildProcessor(
    builds as never,
    logContext as never,
    { onChange: () => undefined } as never,
    {} as never,
    config as never,
  );
  const worker = { close: jest.fn(async () => undefined) };
  (processor as unknown as { _worker: unknown })._worker = worker;
  return { processor, worker };
};

describe('EnvironmentBuildProcessor', () => {
  it('hands an interrupted build back to the queue when the worker stops taking builds', async () => {
    const builds = stoppableBuild();
    const { processor, worker } = processorWith(builds);
    const running = job();
    const outcome = processor.process(running as never, 'lock-token');
    await processor.stopTaking();
    await expect(outcome).rejects.toBeInstanceOf(WaitingError);
    expect(running.moveToWait).toHaveBeenCalledWith('lock-token');
    expect(worker.close).toHaveBeenCalled();
  });

  it('passes results and other failures through untouched', async () => {
    const done = { status: 'ready', image: 'repo:env-abc' };
    const { processor } = processorWith({ run: jest.fn(async () => done) });
    await expect(processor.process(job() as never, 't')).resolves.toBe(done);
    const failing = job();
    const { processor: broken } = processorWith({ run: jest.fn(async () => Promise.reject(new Error('redis down'))) });
    await expect(broken.process(failing as never, 't')).rejects.toThrow('redis down');
    expect(failing.moveToWait).not.toHaveBeenCalled();
  });
});
