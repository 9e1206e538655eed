import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { consumerOptions, EXECUTION_QUEUE, QueueResult } from '@sps/queue';
import { QueueEvents } from 'bullmq';

/** What woke a waiter: a completion carries the job's result as the worker stored it, anything else means "look again". */
export type JobEvent =
  { kind: 'completed'; result: QueueResult<typeof EXECUTION_QUEUE> } | { kind: 'changed' } | { kind: 'timeout' };

type Listener = (event: JobEvent) => void;

const RECENT_MS = 10_000;

/**
 * One QueueEvents listener per API process, shared by every request that
 * waits: a request registers interest in a job id and is woken when that job
 * completes, fails or is removed. Never one listener per request.
 */
@Injectable()
export class ExecutionWaiter implements OnModuleInit, OnModuleDestroy {
  private events: QueueEvents;
  private readonly waiting = new Map<string, Set<Listener>>();
  /** Jobs that ended while nobody here waited, so a waiter arriving just late is not left hanging. */
  private readonly recent = new Map<string, number>();

  constructor(private readonly config: ConfigService<AppConfig, true>) {}

  onModuleInit(): void {
    this.events = new QueueEvents(EXECUTION_QUEUE, consumerOptions(this.config.get('redis', { infer: true })));
    this.events.on('error', () => undefined); // reconnects by itself
    this.events.on('completed', ({ jobId, returnvalue }) =>
      this.notify(jobId, { kind: 'completed', result: returnvalue as unknown as QueueResult<typeof EXECUTION_QUEUE> }),
    );
    this.events.on('failed', ({ jobId }) => this.notify(jobId, { kind: 'changed' }));
    this.events.on('removed', ({ jobId }) => this.notify(jobId, { kind: 'changed' }));
  }

  /**
   * Registers interest in `id` now; `settled` resolves at the next event for it,
   * at `timeoutMs`, or at `cancel()`, whichever comes first.
   */
  nextEvent(id: string, timeoutMs: number): { settled: Promise<JobEvent>; cancel: () => void } {
    let done: Listener = () => undefined;
    const settled = new Promise<JobEvent>((resolve) => {
      const listeners = this.waiting.get(id) ?? new Set();
      done = (event: JobEvent) => {
        clearTimeout(timer);
        listeners.delete(done);
        if (!listeners.size) this.waiting.delete(id);
        resolve(event);
      };
      const timer = setTimeout(() => done({ kind: 'timeout' }), Math.max(0, timeoutMs));
      listeners.add(done);
      this.waiting.set(id, listeners);
      if (this.recent.has(id)) done({ kind: 'changed' });
    });
    return { settled, cancel: () => done({ kind: 'timeout' }) };
  }

  /** Wakes local waiters directly, for changes this process made itself. */
  wake(id: string): void {
    this.notify(id, { kind: 'changed' });
  }

  private notify(id: string, event: JobEvent): void {
    const listeners = this.waiting.get(id);
    if (listeners) {
      for (const listener of [...listeners]) listener(event);
      return;
    }
    const now = Date.now();
    this.recent.set(id, now);
    for (const [old, at] of this.recent) {
      if (at > now - RECENT_MS) break; // insertion order is time order
      this.recent.delete(old);
    }
  }

  async onModuleDestroy(): Promise<void> {
    for (const id of [...this.waiting.keys()]) this.wake(id);
    await this.events?.close();
  }
}
