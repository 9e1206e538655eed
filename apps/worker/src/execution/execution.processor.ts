import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { EXECUTION_QUEUE, ExecutionJob, ExecutionOutcome, ExecutionQueue, FairShare } from '@sps/queue';
import { UnrecoverableError } from 'bullmq';
import { ExecutionRunnerService, SandboxFaultError } from './execution-runner.service';

@Processor(EXECUTION_QUEUE)
export class ExecutionProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ExecutionProcessor.name);

  constructor(
    private readonly runner: ExecutionRunnerService,
    private readonly fairShare: FairShare,
    private readonly executions: ExecutionQueue,
    private readonly config: ConfigService<AppConfig, true>,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.get('worker.concurrency', { infer: true });
  }

  async process(job: ExecutionJob): Promise<ExecutionOutcome> {
    await this.fairShare
      .started(job.priority, () => this.executions.queue.getJobCountByTypes('waiting', 'prioritized'))
      .catch((error) => this.logger.warn(`job ${job.id}: fair-share clock not advanced: ${error.message}`));
    let final = true;
    try {
      const outcome = await this.runner.run(job.id!, job.data);
      this.logger.log(`job ${job.id}: ${outcome.status} in ${outcome.usage?.wallMs ?? 0} ms`);
      return outcome;
    } catch (error) {
      final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // Whatever reaches BullMQ becomes the public `error` text: only messages written for users pass.
      if (error instanceof UnrecoverableError || error instanceof SandboxFaultError) {
        this.logger.warn(`job ${job.id}: ${error.message}`);
        throw error;
      }
      this.logger.error(`job ${job.id}: unexpected failure: ${(error as Error)?.stack ?? error}`);
      throw new SandboxFaultError('the worker failed to run the job');
    } finally {
      // A job that will be retried still counts against its key; the API forgets any release lost here.
      if (final && job.data.ownerKeyId) {
        await this.fairShare.release(job.data.ownerKeyId, job.id!).catch(() => undefined);
      }
    }
  }
}
