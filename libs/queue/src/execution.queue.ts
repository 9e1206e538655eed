import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { Job, JobState, JobsOptions, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { EXECUTION_QUEUE } from './queue.constants';
import { QueueFullError, withRedis } from './queue-errors';
import type { ExecutionJobData, ExecutionOutcome } from './execution.types';

export type ExecutionJob = Job<ExecutionJobData, ExecutionOutcome>;

/** The only producer of execution jobs: ids, retries, retention and admission are decided here and nowhere else. */
@Injectable()
export class ExecutionQueue {
  private readonly options: JobsOptions;
  private readonly maxQueued: number;
  private readonly retryAfterSeconds: number;

  constructor(
    @InjectQueue(EXECUTION_QUEUE) readonly queue: Queue<ExecutionJobData, ExecutionOutcome>,
    config: ConfigService<AppConfig, true>,
  ) {
    const { attempts, backoffMs, resultTtlSeconds, resultMaxCount, maxQueuedJobs, queueFullRetryAfterSeconds } = config.get('queue', {
      infer: true,
    });
    // Age and count, never `true`: a result removed on completion races with anyone waiting for it.
    const retention = { age: resultTtlSeconds, count: resultMaxCount };
    this.options = {
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      removeOnComplete: retention,
      removeOnFail: retention,
    };
    this.maxQueued = maxQueuedJobs;
    this.retryAfterSeconds = queueFullRetryAfterSeconds;
  }

  /**
   * Adds a job, or refuses it before adding anything when the queue is full: a job
   * is either accepted and kept, or refused, never accepted and then dropped.
   * The cap is soft: submissions racing each other may pass it by a few jobs.
   */
  async enqueue(data: ExecutionJobData): Promise<string> {
    return withRedis(async () => {
      const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed');
      const queued = (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
      if (queued >= this.maxQueued) throw new QueueFullError(queued, this.maxQueued, this.retryAfterSeconds);
      const id = randomUUID();
      await this.queue.add('run', data, { ...this.options, jobId: id });
      return id;
    });
  }

  async find(id: string): Promise<ExecutionJob | undefined> {
    return withRedis(async () => (await this.queue.getJob(id)) ?? undefined);
  }

  /**
   * The job with its state, the state read first: a job read before the
   * state could be one that finished in between, a final state with no
   * result or failure reason in hand yet.
   */
  async findWithState(id: string): Promise<{ job: ExecutionJob; state: JobState | 'unknown' } | undefined> {
    const state = await this.queue.getJobState(id);
    const job = await this.find(id);
    return job ? { job, state } : undefined;
  }
}
