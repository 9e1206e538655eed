import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { LogContext } from '@sps/logging';
import { EXECUTION_QUEUE, ExecutionJob, ExecutionOutcome, ExecutionQueue, FairShare } from '@sps/queue';
import { DelayedError, UnrecoverableError, WaitingError } from 'bullmq';
import { EnvironmentNotReadyError, EnvironmentUnavailableError } from '../environments/environment-errors';
import { DockerGate } from './docker-gate.service';
import { ExecutionRunnerService, SandboxFaultError } from './execution-runner.service';
import { executionWorkerOptions } from './execution-worker.options';
import { JobInterruptedError } from './job-interrupted.error';

@Processor(EXECUTION_QUEUE, executionWorkerOptions())
export class ExecutionProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ExecutionProcessor.name);
  private stopping = false;

  constructor(
    private readonly runner: ExecutionRunnerService,
    private readonly docker: DockerGate,
    private readonly logContext: LogContext,
    private readonly fairShare: FairShare,
    private readonly executions: ExecutionQueue,
    private readonly config: ConfigService<AppConfig, true>,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.get('worker.concurrency', { infer: true });
    // Paused, not closed: jobs already running go on, and the worker's connections stay up.
    this.docker.onChange((up) => {
      if (this.stopping) return;
      if (up) this.worker.resume();
      else void this.worker.pause(true);
    });
  }

  /** Every log line written while a job runs, in any class, carries its id. */
  async process(job: ExecutionJob, token?: string): Promise<ExecutionOutcome> {
    return this.logContext.run({ jobId: job.id }, () => this.handle(job, token));
  }

  /** Stops taking jobs; those running go on. */
  async stopTaking(): Promise<void> {
    this.stopping = true;
    await this.worker.close();
  }

  private async handle(job: ExecutionJob, token: string | undefined): Promise<ExecutionOutcome> {
    // Bookkeeping for jobs queued later: not awaited, so it never delays this job's start.
    void this.fairShare
      .started(job.priority, () => this.executions.queue.getJobCountByTypes('waiting', 'prioritized'))
      .catch((error) => this.logger.warn(`job ${job.id}: fair-share clock not advanced: ${error.message}`));
    // Whether the job ends here; one that goes back to the queue, or will be retried, still counts against its key.
    let final = true;
    try {
      const outcome = await this.runner.run(job.id!, job.data);
      this.logger.log(`job ${job.id}: ${outcome.status} in ${outcome.usage?.wallMs ?? 0} ms`);
      return outcome;
    } catch (error) {
      if (error instanceof EnvironmentNotReadyError) {
        // Back to the queue, delayed: waiting for a build must not hold a slot of this worker.
        final = false;
        await job.moveToDelayed(Date.now() + error.retryInMs, token);
        throw new DelayedError();
      }
      if (error instanceof JobInterruptedError) {
        final = false;
        return this.requeue(job, token, error.message);
      }
      if (error instanceof SandboxFaultError && !(await this.docker.check()).up) {
        // Docker went away under this job: that is no fault of the job, so it waits for a worker that has Docker.
        final = false;
        return this.requeue(job, token, 'Docker is unreachable');
      }
      final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // Whatever reaches BullMQ becomes the public `error` text: only messages written for users pass.
      if (error instanceof UnrecoverableError || error instanceof SandboxFaultError || error instanceof EnvironmentUnavailableError) {
        this.logger.warn(`job ${job.id}: ${error.message}`);
        throw error;
      }
      this.logger.error(`job ${job.id}: unexpected failure: ${(error as Error)?.stack ?? error}`);
      throw new SandboxFaultError('the worker failed to run the job');
    } finally {
      // The API forgets any release lost here (a worker that died first) when the key next reaches its maximum.
      if (final && job.data.ownerKeyId) {
        await this.fairShare.release(job.data.ownerKeyId, job.id!).catch(() => undefined);
      }
    }
  }

  /** Back to the waiting list, attempts untouched; WaitingError tells BullMQ the job was moved on purpose. */
  private async requeue(job: ExecutionJob, token: string | undefined, reason: string): Promise<never> {
    await job.moveToWait(token);
    this.logger.warn(`job ${job.id}: returned to the queue (${reason})`);
    throw new WaitingError();
  }
}
