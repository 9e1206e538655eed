import { Injectable } from '@nestjs/common';
import { ExecutionStore } from '@sps/queue';
import { RedisChannels } from '@sps/redis';

/** Interest in one execution, from the moment it was taken. */
export interface ExecutionWatch {
  /** True as soon as the execution changed since the last call (or since the watch began), false at the timeout. */
  changed(timeoutMs: number): Promise<boolean>;
  close(): void;
}

/**
 * Wakes requests that wait for an execution, and only them: each watch is a
 * subscription to that execution's channel, on the process's one pub/sub
 * connection, so an API process hears about the executions it holds
 * requests for and reads just those. Anything that follows an execution (a
 * long poll today, an event stream later) watches it the same way.
 */
@Injectable()
export class ExecutionWaiter {
  constructor(
    private readonly channels: RedisChannels,
    private readonly store: ExecutionStore,
  ) {}

  /** Calls `onChange` at every change of `id` until the answer is called; resolves once subscribed. */
  listen(id: string, onChange: () => void): Promise<() => void> {
    return this.channels.listen(this.store.channel(id), () => onChange());
  }

  /** Resolves once subscribed: a change from then on is never missed. */
  async watch(id: string): Promise<ExecutionWatch> {
    let signalled = false;
    let wake: (() => void) | null = null;
    const stop = await this.listen(id, () => {
      signalled = true;
      wake?.();
    });
    return {
      changed: (timeoutMs) =>
        new Promise<boolean>((resolve) => {
          if (signalled) {
            signalled = false;
            return resolve(true);
          }
          const timer = setTimeout(
            () => {
              wake = null;
              resolve(false);
            },
            Math.max(0, timeoutMs),
          );
          wake = () => {
            clearTimeout(timer);
            wake = null;
            signalled = false;
            resolve(true);
          };
        }),
      close: stop,
    };
  }
}
