import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, Worker, WorkerOptions } from 'bullmq';
import { JobCounters } from './job-counters.service';
import type { QueueData, QueueJob, QueueName, QueueResult } from './queue.contracts';

/**
 * The consuming side of one queue, typed from its contract. @nestjs/bullmq's
 * @Processor takes a Worker's options from its decorator, which runs before
 * any setting can be injected; here the subclass hands them over from its
 * constructor, read through ConfigService like every other setting. BullMQ
 * fixes a Worker's connection, lock and stall timings when it is built.
 * Every job that ends here for good is counted in Redis (JobCounters), for /metrics.
 */
export abstract class QueueWorkerHost<Q extends QueueName> implements OnModuleInit, OnApplicationShutdown {
  private readonly hostLogger = new Logger(QueueWorkerHost.name);
  private _worker: Worker<QueueData<Q>, QueueResult<Q>> | undefined;
  private stopping = false;

  /** `name` is the queue's name in BullMQ when it is not the contract's own (a worker's session queue). */
  protected constructor(
    private readonly queueName: Q,
    private readonly options: WorkerOptions,
    private readonly counters: JobCounters,
    private readonly name: string = queueName,
  ) {}

  abstract process(job: QueueJob<Q>, token?: string): Promise<QueueResult<Q>>;

  get worker(): Worker<QueueData<Q>, QueueResult<Q>> {
    if (!this._worker) throw new Error(`the worker of queue ${this.name} is not started yet`);
    return this._worker;
  }

  onModuleInit(): void {
    this._worker = new Worker<QueueData<Q>, QueueResult<Q>>(
      this.name,
      (job, token) => this.process(job, token),
      this.options,
    );
    // Connection trouble surfaces here while the Worker reconnects by itself.
    this._worker.on('error', (error) => this.hostLogger.warn(`queue ${this.name}: ${error.message}`));
    this._worker.on('completed', () => this.count('completed'));
    this._worker.on('failed', (job, error) => {
      if (job && QueueWorkerHost.failedForGood(job, error)) this.count('failed');
    });
  }

  /** BullMQ reports every failed attempt; only the last one, or one that may not be retried, ends the job. */
  static failedForGood(job: Job, error: Error): boolean {
    return error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
  }

  private count(outcome: 'completed' | 'failed'): void {
    this.counters
      .jobFinished(this.queueName, outcome)
      .catch((error: Error) => this.hostLogger.warn(`a finished job was not counted: ${error.message}`));
  }

  /** Paused, not closed, while `taking` is false: jobs already running go on, and the connections stay up. */
  protected takeJobs(taking: boolean): void {
    if (this.stopping) return;
    const change = taking ? this.worker.resume() : this.worker.pause(true);
    change.catch((error: Error) =>
      this.hostLogger.warn(`queue ${this.name}: could not ${taking ? 'resume' : 'pause'}: ${error.message}`),
    );
  }

  /** Takes no more jobs, for good; resolves once those running have ended. */
  async stopTaking(): Promise<void> {
    this.stopping = true;
    await this.worker.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this._worker?.close();
  }
}
