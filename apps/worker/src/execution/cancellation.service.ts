import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RedisConnection } from '@sps/queue';
import type Redis from 'ioredis';
import { JobInterruptedError } from './job-interrupted.error';

/**
 * Tracks the jobs running in this worker and stops them on request: a cancel
 * from the API (through Redis pub/sub), or the worker interrupting them all.
 */
@Injectable()
export class CancellationService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CancellationService.name);
  private readonly running = new Map<string, AbortController>();
  private interruption: JobInterruptedError | null = null;
  private subscriber: Redis;

  constructor(private readonly redis: RedisConnection) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('message', (_channel, jobId: string) => {
      const controller = this.running.get(jobId);
      if (controller) {
        this.logger.log(`job ${jobId}: cancel requested, killing its container`);
        controller.abort();
      }
    });
    await this.subscriber.subscribe(this.redis.keys.cancelChannel);
  }

  /** A cancel may land between dequeue and start; the flag covers that window. */
  async isRequested(jobId: string): Promise<boolean> {
    return (await this.redis.client.exists(this.redis.keys.cancelFlag(jobId))) === 1;
  }

  /** The signal is already aborted when the worker is interrupting: a job starting now must not outlive it. */
  track(jobId: string): AbortSignal {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    if (this.interruption) controller.abort(this.interruption);
    return controller.signal;
  }

  untrack(jobId: string): void {
    this.running.delete(jobId);
  }

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /** Kills every running job's container; each job goes back to the queue. */
  interruptAll(reason: string): number {
    this.interruption = new JobInterruptedError(reason);
    for (const controller of this.running.values()) controller.abort(this.interruption);
    return this.running.size;
  }

  get busy(): number {
    return this.running.size;
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber.disconnect());
  }
}
