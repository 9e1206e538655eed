import { Injectable, Logger } from '@nestjs/common';
import { DEFAULT_ENVIRONMENT, EnvironmentCatalogue } from '@sps/environments';
import {
  ExecutionJob,
  ExecutionQueue,
  ExecutionStore,
  ExecutionSummary,
  FairShare,
  identityOf,
  JobCounters,
  NO_OUTPUT,
  publicFailure,
  storedReportOf,
  summaryOf,
  WebhookQueue,
} from '@sps/queue';
import { ExecutionRunnerService, type FinishedRun } from './execution-runner.service';
import { FailureClassifier, FailureVerdict } from './failure-classifier.service';

/** How one attempt at a job came out: its summary (the result itself is stored), or what to do with it instead. */
export type AttemptOutcome = { kind: 'done'; summary: ExecutionSummary } | FailureVerdict;

/** The label metrics give an environment that does not exist: names chosen by callers never become series. */
export const OTHER_ENVIRONMENT = 'other';

/**
 * One attempt at an execution job: runs it, stores its result, keeps the
 * fair-share books and the counters, and classifies a failure. A job counts
 * against its key until it ends here for good; one that goes back to the
 * queue, or will be retried, still counts. A job's final result is stored
 * before BullMQ lets go of the job, so nobody waiting for it sees a gap.
 */
@Injectable()
export class ExecutionAttempt {
  private readonly logger = new Logger(ExecutionAttempt.name);

  constructor(
    private readonly runner: ExecutionRunnerService,
    private readonly failures: FailureClassifier,
    private readonly fairShare: FairShare,
    private readonly executions: ExecutionQueue,
    private readonly store: ExecutionStore,
    private readonly counters: JobCounters,
    private readonly catalogue: EnvironmentCatalogue,
    private readonly webhooks: WebhookQueue,
  ) {}

  async run(job: ExecutionJob): Promise<AttemptOutcome> {
    const id = job.id!;
    // Bookkeeping for jobs queued later: not awaited, so it never delays this job's start.
    this.fairShare
      .started(job.priority, () => this.executions.queue.getJobCountByTypes('waiting', 'prioritized'))
      .catch((error: Error) => this.logger.warn(`job ${id}: fair-share clock not advanced: ${error.message}`));
    let outcome: AttemptOutcome;
    try {
      const summary = await this.runner.run(id, job.data, (run) => this.finish(job, run));
      this.logger.log(`job ${id}: ${summary.status} in ${summary.usage?.wallMs ?? 0} ms`);
      outcome = { kind: 'done', summary };
    } catch (error) {
      outcome = await this.failures.classify(error, id, {
        attemptsMade: job.attemptsMade,
        attempts: job.opts.attempts ?? 1,
      });
      if (outcome.kind === 'fail' && outcome.final) await this.finishFailed(job, outcome.error.message);
    }
    return outcome;
  }

  /**
   * A job BullMQ failed for good without running it here (one whose worker
   * died too often): its result is stored now, unless one is there already.
   */
  async failedElsewhere(job: ExecutionJob, reason: string): Promise<void> {
    await this.finishFailed(job, publicFailure(reason), true);
  }

  private async finish(job: ExecutionJob, run: FinishedRun): Promise<ExecutionSummary> {
    // Sent first on the same connection, so Redis runs it first: the caller may submit again the moment it hears.
    const released = this.release(job);
    await this.store.save(job.data.ownerKeyId, identityOf(job.id!, job.data), run.report, run.output);
    await released;
    await this.queueWebhook(job);
    this.count(job, run.report.status, true);
    return summaryOf(run.report, run.output);
  }

  private async finishFailed(job: ExecutionJob, error: string, onlyIfAbsent = false): Promise<void> {
    const report = storedReportOf({ kind: 'failed', error, finishedAt: new Date().toISOString() });
    const released = this.release(job);
    const saved = await this.store.save(job.data.ownerKeyId, identityOf(job.id!, job.data), report, NO_OUTPUT, {
      onlyIfAbsent,
    });
    await released;
    if (saved === null) return;
    await this.queueWebhook(job);
    this.count(job, 'error', false);
  }

  /** The result is stored whatever happens here: a delivery that could not be queued must not run the job again. */
  private async queueWebhook(job: ExecutionJob): Promise<void> {
    await this.webhooks
      .finalReached(job.id!, job.data)
      .catch((error: Error) =>
        this.logger.warn(`job ${job.id}: its webhook delivery was not queued: ${error.message}`),
      );
  }

  /** The job no longer counts against its key; the API forgets a release lost here when the key next reaches its maximum. */
  private release(job: ExecutionJob): Promise<void> {
    return job.data.ownerKeyId
      ? this.fairShare.release(job.data.ownerKeyId, job.id!).catch(() => undefined)
      : Promise.resolve();
  }

  /** Counted in the background: a counter never holds up a result. */
  private count(job: ExecutionJob, status: ExecutionSummary['status'], ran: boolean): void {
    void this.countNow(job, status, ran).catch((error: Error) =>
      this.logger.warn(`job ${job.id}: not counted: ${error.message}`),
    );
  }

  private async countNow(job: ExecutionJob, status: ExecutionSummary['status'], ran: boolean): Promise<void> {
    const now = Date.now();
    const picked = job.processedOn;
    await this.counters.executionFinished(status, await this.environmentLabel(job.data.environment, ran), {
      queue_wait: picked && picked >= job.timestamp ? (picked - job.timestamp) / 1000 : undefined,
      run: picked && now >= picked ? (now - picked) / 1000 : undefined,
    });
  }

  /** An environment a job ran in exists; one it failed in is looked up, and an unknown name is "other". */
  private async environmentLabel(name: string, ran: boolean): Promise<string> {
    if (ran || name === DEFAULT_ENVIRONMENT) return name;
    const known = await this.catalogue.get(name).catch(() => null);
    return known ? name : OTHER_ENVIRONMENT;
  }
}
