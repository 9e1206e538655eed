import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { consumerOptions, EXECUTION_QUEUE, ExecutionResult, QueueName, QueueStats } from '@sps/queue';
import { RedisConnection } from '@sps/redis';
import { QueueEvents } from 'bullmq';
import { MetricsRegistry } from './metrics.registry';

interface JobTimes {
  timestamp: number | null;
  processedOn: number | null;
  finishedOn: number | null;
}

const toNumber = (raw: string | null | undefined): number | null => (raw ? Number(raw) : null);

/**
 * Counts jobs as they finish, from the queues' event streams in Redis: every
 * completed or failed job is seen by every API process, whichever worker ran it.
 * A job that failed for good (a stalled job past its limit included) counts as "error".
 */
@Injectable()
export class JobMetricsCollector implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(JobMetricsCollector.name);
  private readonly listeners: QueueEvents[] = [];

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly stats: QueueStats,
    private readonly redis: RedisConnection,
    private readonly config: ConfigService<AppConfig, true>,
  ) {}

  onModuleInit(): void {
    const redis = this.config.get('redis', { infer: true });
    for (const name of this.stats.names) {
      const events = new QueueEvents(name, consumerOptions(redis));
      events.on('error', () => undefined); // reconnects by itself
      events.on(
        'completed',
        ({ jobId, returnvalue }) => void this.completed(name, jobId, returnvalue as unknown).catch((e) => this.warn(e)),
      );
      events.on('failed', ({ jobId }) => void this.failed(name, jobId).catch((e) => this.warn(e)));
      this.listeners.push(events);
    }
  }

  private async completed(queue: QueueName, jobId: string, returnvalue: unknown): Promise<void> {
    this.metrics.jobsFinished.inc({ queue, outcome: 'completed' });
    if (queue !== EXECUTION_QUEUE) return;
    const outcome = (
      typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue
    ) as Partial<ExecutionResult> | null;
    const environment = outcome?.environment ?? 'unknown';
    this.metrics.executions.inc({ status: outcome?.status ?? 'unknown', environment });
    this.observeDurations(environment, await this.times(queue, jobId));
  }

  private async failed(queue: QueueName, jobId: string): Promise<void> {
    this.metrics.jobsFinished.inc({ queue, outcome: 'failed' });
    if (queue !== EXECUTION_QUEUE) return;
    // Failures are rare (faults of the service, never of user code), so reading the whole job is affordable here.
    const job = await this.stats.queue(queue).getJob(jobId);
    const environment = (job?.data as { environment?: string } | undefined)?.environment ?? 'unknown';
    this.metrics.executions.inc({ status: 'error', environment });
    if (job)
      this.observeDurations(environment, {
        timestamp: job.timestamp,
        processedOn: job.processedOn ?? null,
        finishedOn: job.finishedOn ?? null,
      });
  }

  /** Only the three timestamps, not the job's data, which can be megabytes. */
  private async times(queue: QueueName, jobId: string): Promise<JobTimes> {
    const key = this.stats.queue(queue).toKey(jobId);
    const [timestamp, processedOn, finishedOn] = await this.redis.client.hmget(
      key,
      'timestamp',
      'processedOn',
      'finishedOn',
    );
    return { timestamp: toNumber(timestamp), processedOn: toNumber(processedOn), finishedOn: toNumber(finishedOn) };
  }

  private observeDurations(environment: string, { timestamp, processedOn, finishedOn }: JobTimes): void {
    if (timestamp && processedOn && processedOn >= timestamp) {
      this.metrics.executionDuration.observe({ phase: 'queue_wait', environment }, (processedOn - timestamp) / 1000);
    }
    if (processedOn && finishedOn && finishedOn >= processedOn) {
      this.metrics.executionDuration.observe({ phase: 'run', environment }, (finishedOn - processedOn) / 1000);
    }
  }

  private warn(error: unknown): void {
    this.logger.warn(`a finished job was not counted: ${(error as Error)?.message ?? error}`);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.listeners.map((events) => events.close().catch(() => undefined)));
  }
}
