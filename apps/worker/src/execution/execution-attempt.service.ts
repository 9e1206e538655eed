import { Injectable, Logger } from '@nestjs/common';
import { ExecutionJob, ExecutionQueue, ExecutionResult, FairShare } from '@sps/queue';
import { ExecutionRunnerService } from './execution-runner.service';
import { FailureClassifier, FailureVerdict } from './failure-classifier.service';

/** How one attempt at a job came out: its result, or what to do with it instead. */
export type AttemptOutcome = { kind: 'done'; result: ExecutionResult } | FailureVerdict;

/**
 * One attempt at an execution job: runs it, keeps the fair-share books, and
 * classifies a failure. A job counts against its key until it ends here for
 * good; one that goes back to the queue, or will be retried, still counts.
 */
@Injectable()
export class ExecutionAttempt {
  private readonly logger = new Logger(ExecutionAttempt.name);

  constructor(
    private readonly runner: ExecutionRunnerService,
    private readonly failures: FailureClassifier,
    private readonly fairShare: FairShare,
    private readonly executions: ExecutionQueue,
  ) {}

  async run(job: ExecutionJob): Promise<AttemptOutcome> {
    const id = job.id!;
    // Bookkeeping for jobs queued later: not awaited, so it never delays this job's start.
    this.fairShare
      .started(job.priority, () => this.executions.queue.getJobCountByTypes('waiting', 'prioritized'))
      .catch((error: Error) => this.logger.warn(`job ${id}: fair-share clock not advanced: ${error.message}`));
    let outcome: AttemptOutcome;
    try {
      const result = await this.runner.run(id, job.data);
      this.logger.log(`job ${id}: ${result.status} in ${result.usage?.wallMs ?? 0} ms`);
      outcome = { kind: 'done', result };
    } catch (error) {
      outcome = await this.failures.classify(error, id, {
        attemptsMade: job.attemptsMade,
        attempts: job.opts.attempts ?? 1,
      });
    }
    if (outcome.kind === 'done' || (outcome.kind === 'fail' && outcome.final)) await this.release(job);
    return outcome;
  }

  /** The API forgets any release lost here (a worker that died first) when the key next reaches its maximum. */
  private async release(job: ExecutionJob): Promise<void> {
    if (job.data.ownerKeyId) await this.fairShare.release(job.data.ownerKeyId, job.id!).catch(() => undefined);
  }
}
