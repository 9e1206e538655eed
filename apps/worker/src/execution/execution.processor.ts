import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { LogContext } from '@sps/logging';
import { EXECUTION_QUEUE, ExecutionJob, ExecutionSummary, JobCounters, QueueWorkerHost } from '@sps/queue';
import { DelayedError, WaitingError } from 'bullmq';
import { DockerGate } from '../runtime/docker-gate.service';
import { ExecutionAttempt } from './execution-attempt.service';
import { executionWorkerOptions } from './execution-worker.options';

@Injectable()
export class ExecutionProcessor extends QueueWorkerHost<typeof EXECUTION_QUEUE> implements OnApplicationBootstrap {
  private readonly logger = new Logger(ExecutionProcessor.name);

  constructor(
    private readonly attempts: ExecutionAttempt,
    private readonly docker: DockerGate,
    private readonly logContext: LogContext,
    counters: JobCounters,
    config: ConfigService<AppConfig, true>,
  ) {
    super(EXECUTION_QUEUE, executionWorkerOptions(config), counters);
  }

  onApplicationBootstrap(): void {
    this.docker.onChange((up) => this.takeJobs(up));
    // A job whose workers died too often is failed by BullMQ before any processor sees it: its result is stored here.
    this.worker.on('failed', (job, error) => {
      if (!job || !QueueWorkerHost.failedForGood(job, error)) return;
      this.attempts
        .failedElsewhere(job, error.message)
        .catch((e: Error) => this.logger.warn(`job ${job.id}: its failure was not stored: ${e.message}`));
    });
  }

  /** Every log line written while a job runs, in any class, carries its id. */
  process(job: ExecutionJob, token?: string): Promise<ExecutionSummary> {
    return this.logContext.run({ jobId: job.id }, () => this.attempt(job, token));
  }

  /** Runs one attempt and tells BullMQ how it went. */
  private async attempt(job: ExecutionJob, token: string | undefined): Promise<ExecutionSummary> {
    const outcome = await this.attempts.run(job);
    switch (outcome.kind) {
      case 'done':
        return outcome.summary;
      case 'delay':
        await job.moveToDelayed(Date.now() + outcome.retryInMs, token);
        throw new DelayedError();
      case 'requeue':
        // Attempts untouched; WaitingError tells BullMQ the job was moved on purpose.
        await job.moveToWait(token);
        this.logger.warn(`job ${job.id}: returned to the queue (${outcome.reason})`);
        throw new WaitingError();
      case 'fail':
        throw outcome.error;
    }
  }
}
