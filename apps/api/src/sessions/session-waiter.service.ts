import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SessionRecords } from '@sps/queue';
import type { RedisSubscription } from '@sps/redis';

/** A registered wait: `woken` resolves at the next change of one of its ids, at its timeout, or at `cancel()`. */
export interface Wake {
  woken: Promise<void>;
  cancel(): void;
}

/**
 * One subscription per API process to the sessions channel, on which every
 * change to a session, a cell's result or a file answer is announced by id. A
 * request registers the ids it waits on before reading, so no change is
 * missed between the read and the wait; it then reads again once woken.
 */
@Injectable()
export class SessionWaiter implements OnModuleInit, OnModuleDestroy {
  private readonly waiting = new Map<string, Set<() => void>>();
  private subscription: RedisSubscription | undefined;

  constructor(private readonly records: SessionRecords) {}

  async onModuleInit(): Promise<void> {
    this.subscription = await this.records.subscribe((id) => this.wake(id));
  }

  /** Registers interest in each of `ids` now. */
  next(ids: string[], timeoutMs: number): Wake {
    let done = () => undefined as void;
    const woken = new Promise<void>((resolve) => {
      done = () => {
        clearTimeout(timer);
        for (const id of ids) {
          const listeners = this.waiting.get(id);
          listeners?.delete(done);
          if (listeners?.size === 0) this.waiting.delete(id);
        }
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      for (const id of ids) {
        const listeners = this.waiting.get(id) ?? new Set();
        listeners.add(done);
        this.waiting.set(id, listeners);
      }
    });
    return { woken, cancel: done };
  }

  /** Calls `onChange` at every change of one of `ids` until the answer is called. */
  listen(ids: string[], onChange: () => void): () => void {
    for (const id of ids) this.waiting.set(id, (this.waiting.get(id) ?? new Set()).add(onChange));
    return () => {
      for (const id of ids) {
        const listeners = this.waiting.get(id);
        listeners?.delete(onChange);
        if (listeners?.size === 0) this.waiting.delete(id);
      }
    };
  }

  /**
   * Reads with `read` until `settled` says the value is final or `timeoutMs`
   * runs out, waking on any change of `ids`; returns the last value read.
   * `known`, when given, stands for the first read.
   */
  async until<T>(
    ids: string[],
    timeoutMs: number,
    read: () => Promise<T>,
    settled: (value: T) => boolean,
    known?: T,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let first = known;
    for (;;) {
      const wake = this.next(ids, deadline - Date.now());
      let value: T;
      try {
        value = first ?? (await read());
        first = undefined;
      } catch (error) {
        wake.cancel();
        throw error;
      }
      if (settled(value) || Date.now() >= deadline) {
        wake.cancel();
        return value;
      }
      await wake.woken;
    }
  }

  private wake(id: string): void {
    for (const listener of [...(this.waiting.get(id) ?? [])]) listener();
  }

  async onModuleDestroy(): Promise<void> {
    for (const id of [...this.waiting.keys()]) this.wake(id);
    await this.subscription?.close();
  }
}
