import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { EXECUTION_QUEUE, ExecutionJob, ExecutionOutcome } from '@sps/queue';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { EnvironmentNotReadyError, EnvironmentUnavailableError } from '../environments/environment-errors';
import { ExecutionRunnerService, SandboxFaultError } from './execution-runner.service';

@Processor(EXECUTION_QUEUE)
export class ExecutionProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ExecutionProcessor.name);

  constructor(
    private readonly runner: ExecutionRunnerService,
    private readonly config: ConfigService<AppConfig, true>,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.get('worker.concurrency', { infer: true });
  }

  async process(job: ExecutionJob, token?: string): Promise<ExecutionOutcome> {
    try {
      const outcome = await this.runner.run(job.id!, job.data);
      this.logger.log(`job ${job.id}: ${outcome.status} in ${outcome.usage?.wallMs ?? 0} ms`);
      return outcome;
    } catch (error) {
      if (error instanceof EnvironmentNotReadyError) {
        // Back to the queue, delayed: waiting for a build must not hold a slot of this worker.
        await job.moveToDelayed(Date.now() + error.retryInMs, token);
        throw new DelayedError();
      }
      // Whatever reaches BullMQ becomes the public `error` text: only messages written for users pass.
      if (error instanceof UnrecoverableError || error instanceof SandboxFaultError || error instanceof EnvironmentUnavailableError) {
        this.logger.warn(`job ${job.id}: ${error.message}`);
        throw error;
      }
      this.logger.error(`job ${job.id}: unexpected failure: ${(error as Error)?.stack ?? error}`);
      throw new SandboxFaultError('the worker failed to run the job');
    }
  }
}
