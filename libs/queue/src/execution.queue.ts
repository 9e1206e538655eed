import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { withRedis } from '@sps/redis';
import { JobState, JobsOptions } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { ExecutionHistory, historyEntry } from './execution-history.store';
import { ExecutionStore } from './execution-store.service';
import type { ExecutionJobData } from './execution.types';
import { FairShare } from './fair-share.service';
import { EXECUTION_QUEUE } from './queue.constants';
import type { ExecutionJob, TypedQueue } from './queue.contracts';
import { QueueFullError } from './queue-errors';

/** The key already has as many executions queued or running as it may. */
export class InFlightLimitError extends Error {
  constructor(
    readonly maxInFlight: number,
    readonly requested = 1,
  ) {
    super(
      requested === 1
        ? `this API key already has ${maxInFlight} executions queued or running (its maximum); wait for one to finish`
        : `a batch of ${requested} would take this API key past its maximum of ${maxInFlight} executions queued or running; nothing was queued`,
    );
  }
}

/** The key's finished results already hold more bytes in Redis than it may keep. */
export class StorageBudgetError extends Error {
  constructor(
    readonly heldBytes: number,
    readonly maxStoredBytes: number,
  ) {
    super(
      `this API key's results hold ${heldBytes} bytes, more than its maximum of ${maxStoredBytes}: ` +
        'delete finished executions (DELETE /v1/executions/{id}) or wait until they expire',
    );
  }
}

/** The per-key quotas checked when a job is admitted. */
export interface AdmissionQuotas {
  maxInFlight: number;
  maxStoredBytes: number;
}

const FINAL_STATES = new Set(['completed', 'failed']);
/** A job admitted this recently may not be in the queue yet: "unknown" does not mean gone. */
const ADMISSION_GRACE_MS = 60_000;

/** The only producer of execution jobs: ids, retries, retention and admission are decided here and nowhere else. */
@Injectable()
export class ExecutionQueue {
  private readonly options: JobsOptions;
  private readonly maxQueued: number;
  private readonly retryAfterSeconds: number;

  constructor(
    @InjectQueue(EXECUTION_QUEUE) readonly queue: TypedQueue<typeof EXECUTION_QUEUE>,
    private readonly fairShare: FairShare,
    private readonly store: ExecutionStore,
    private readonly history: ExecutionHistory,
    config: ConfigService<AppConfig, true>,
  ) {
    const { attempts, backoffMs, maxQueuedJobs, queueFullRetryAfterSeconds } = config.get('queue', { infer: true });
    // A job's record (and with it the code, stdin and input files) goes as soon as it ends: its
    // result was written to the ExecutionStore before, so nobody waiting for it sees a gap.
    this.options = {
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      removeOnComplete: true,
      removeOnFail: true,
    };
    this.maxQueued = maxQueuedJobs;
    this.retryAfterSeconds = queueFullRetryAfterSeconds;
  }

  /**
   * Adds a job under `id`, or refuses it before adding anything: when the queue
   * is full, when its owner's results already hold more than `maxStoredBytes`,
   * or when its owner already has `maxInFlight` queued or running. A job is
   * either accepted and kept, or refused, never accepted and then dropped.
   * The queue cap is soft (racing submissions may pass it by a few jobs); the
   * per-key one is exact. The job's priority is its fair-share round (see FairShare).
   * The job is added only once `beforeAdd` has resolved (a caller's
   * subscription to its completion, say), which meanwhile runs alongside the checks.
   */
  async enqueue(
    data: ExecutionJobData,
    quotas: AdmissionQuotas,
    id: string = randomUUID(),
    beforeAdd: Promise<unknown> = Promise.resolve(),
  ): Promise<string> {
    await this.enqueueMany([{ id, data }], quotas, beforeAdd);
    return id;
  }

  /**
   * Adds jobs of one owner all together, or none of them: the checks of
   * enqueue() count every job, and the jobs are added in one transaction.
   * Each goes into its owner's history first, so a listing never misses one
   * that runs (an entry whose job never came is dropped when it is met).
   */
  async enqueueMany(
    jobs: { id: string; data: ExecutionJobData }[],
    quotas: AdmissionQuotas,
    beforeAdd: Promise<unknown> = Promise.resolve(),
  ): Promise<void> {
    const { maxInFlight, maxStoredBytes } = quotas;
    const owner = jobs[0].data.ownerKeyId;
    if (jobs.some((job) => job.data.ownerKeyId !== owner)) throw new Error('a batch belongs to one owner');
    const ids = jobs.map((job) => job.id);
    const entries = jobs.map(({ id, data }) => ({ id, createdAt: data.createdAt }));
    await withRedis(async () => {
      // Sent together, each on its own: the queue and storage checks, the key's claim on its slots, and
      // the history entries (a listing never misses a job that runs). A refusal gives back what was taken.
      const admitting = this.admit(owner, ids, maxInFlight);
      const listing = this.history.add(owner, entries);
      try {
        const [counts, held, priorities] = await Promise.all([
          this.queue.getJobCounts('waiting', 'prioritized', 'delayed'),
          this.store.heldBytes(owner),
          admitting,
          listing,
        ]);
        const queued = (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
        if (queued + jobs.length > this.maxQueued)
          throw new QueueFullError(queued, this.maxQueued, this.retryAfterSeconds);
        if (held > maxStoredBytes) throw new StorageBudgetError(held, maxStoredBytes);
        if (priorities === null) throw new InFlightLimitError(maxInFlight, jobs.length);
        await beforeAdd;
        await this.queue.addBulk(
          jobs.map(({ id, data }, i) => ({
            name: 'run',
            data,
            opts: { ...this.options, jobId: id, priority: priorities[i] },
          })),
        );
      } catch (error) {
        // Whatever was taken is given back, once it is known to have been: the claim may still be on its way.
        const claimed = (await admitting.catch(() => null)) !== null;
        await Promise.all([
          claimed ? this.fairShare.release(owner, ...ids) : undefined,
          this.history.forget(
            owner,
            entries.map(({ id, createdAt }) => historyEntry(id, createdAt)),
          ),
        ]).catch(() => undefined);
        throw error;
      }
    });
  }

  /** The jobs' fair-share rounds, or null when they would take the key past its maximum in flight. */
  private async admit(owner: string, ids: string[], maxInFlight: number): Promise<number[] | null> {
    const priorities = await this.fairShare.admit(owner, ids, maxInFlight);
    if (priorities === null && (await this.forgetFinished(owner)) > 0) {
      return this.fairShare.admit(owner, ids, maxInFlight);
    }
    return priorities;
  }

  /**
   * Workers release a job from its key's count when it ends; one that died
   * first cannot. Before refusing a key, its count is checked against the
   * jobs themselves, so a lost release never locks a key out.
   */
  private async forgetFinished(owner: string): Promise<number> {
    let forgotten = 0;
    const now = Date.now();
    for (const { id, admittedAt } of await this.fairShare.inFlight(owner)) {
      const state = await this.queue.getJobState(id);
      if (FINAL_STATES.has(state) || (state === 'unknown' && now - admittedAt > ADMISSION_GRACE_MS)) {
        await this.fairShare.release(owner, id);
        forgotten++;
      }
    }
    return forgotten;
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
