import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ExecutionCancels } from '@sps/queue';
import type { RedisSubscription } from '@sps/redis';
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
  private subscription: RedisSubscription | undefined;

  constructor(private readonly cancels: ExecutionCancels) {}

  async onModuleInit(): Promise<void> {
    this.subscription = await this.cancels.listen((jobId) => {
      const controller = this.running.get(jobId);
      if (controller) {
        this.logger.log(`job ${jobId}: cancel requested, killing its container`);
        controller.abort();
      }
    });
  }

  /** A cancel may land between dequeue and start; the flag covers that window. */
  isRequested(jobId: string): Promise<boolean> {
    return this.cancels.isRequested(jobId);
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
    await this.subscription?.close();
  }
}
