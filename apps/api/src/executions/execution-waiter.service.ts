import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { EXECUTION_QUEUE } from '@sps/queue';
import { QueueEvents } from 'bullmq';

/**
 * One QueueEvents listener per API process, shared by every request that
 * waits: a request registers interest in a job id and is woken when that job
 * completes, fails or is removed. Never one listener per request.
 */
@Injectable()
export class ExecutionWaiter implements OnModuleInit, OnModuleDestroy {
  private events: QueueEvents;
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(private readonly config: ConfigService<AppConfig, true>) {}

  async onModuleInit(): Promise<void> {
    const { url, prefix } = this.config.get('redis', { infer: true });
    this.events = new QueueEvents(EXECUTION_QUEUE, { connection: { url }, prefix });
    this.events.on('error', () => undefined); // reconnects by itself
    for (const event of ['completed', 'failed', 'removed'] as const) {
      this.events.on(event, ({ jobId }: { jobId: string }) => this.wake(jobId));
    }
  }

  /**
   * Registers interest in `id` now; `settled` resolves at the next event for it,
   * at `timeoutMs`, or at `cancel()`, whichever comes first.
   */
  nextEvent(id: string, timeoutMs: number): { settled: Promise<void>; cancel: () => void } {
    let done: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      const listeners = this.waiting.get(id) ?? new Set();
      done = () => {
        clearTimeout(timer);
        listeners.delete(done);
        if (!listeners.size) this.waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      listeners.add(done);
      this.waiting.set(id, listeners);
    });
    return { settled, cancel: done };
  }

  /** Wakes local waiters directly, for changes this process made itself. */
  wake(id: string): void {
    for (const listener of [...(this.waiting.get(id) ?? [])]) listener();
  }

  async onModuleDestroy(): Promise<void> {
    for (const id of [...this.waiting.keys()]) this.wake(id);
    await this.events?.close();
  }
}
