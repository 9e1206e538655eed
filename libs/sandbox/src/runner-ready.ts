import type { AttachedContainer } from './container-runtime';
import { FrameDecoder, ProtocolError } from './runner-protocol';

/**
 * Resolves once the runner in `container` has sent its ready frame, and
 * leaves the output stream paused at the next frame boundary for the job
 * that will use it. Anything else first is a broken container.
 */
export const waitForRunnerReady = (container: AttachedContainer, timeoutMs: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const decoder = new FrameDecoder(0);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      container.stdout.off('data', onData);
      container.stdout.off('end', onEnd);
      container.stdout.pause();
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (error) {
        return finish(error as Error);
      }
      if (frames.length === 0) return;
      if (frames.length > 1 || frames[0].type !== 'R' || decoder.midFrame) {
        return finish(new ProtocolError('the runner sent something before its ready signal'));
      }
      finish();
    };
    const onEnd = () => finish(new Error('the container exited before it was ready'));
    const timer = setTimeout(() => finish(new Error(`the runner was not ready within ${timeoutMs} ms`)), timeoutMs);
    container.stdout.on('data', onData);
    container.stdout.once('end', onEnd);
  });
