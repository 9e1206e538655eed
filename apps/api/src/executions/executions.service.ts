import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  isPastEntryGrace,
  ExecutionCancels,
  ExecutionHistory,
  type ExecutionHistoryEntry,
  type ExecutionJobData,
  ExecutionEvents,
  executionResult,
  ExecutionQueue,
  ExecutionResult,
  ExecutionStore,
  FairShare,
  historyEntryOf,
  idOfEntry,
  identityOf,
  InFlightLimitError,
  isFinalStatus,
  NO_OUTPUT,
  resultOfPendingJob,
  StorageBudgetError,
  storedReportOf,
  WebhookQueue,
} from '@sps/queue';
import { withRedis } from '@sps/redis';
import { randomUUID } from 'node:crypto';
import { ApiKeyStore } from '../auth/api-key.store';
import type { Principal } from '../auth/principal';
import { TooManyRequestsException } from '../http/too-many-requests.exception';
import { WebhookTargetError, WebhookTargets } from '../webhooks/webhook-targets.service';
import type { CreateExecutionDto } from './dto/create-execution.dto';
import { DEFAULT_PAGE_SIZE, type ListExecutionsQueryDto } from './dto/list-executions.query';
import { ExecutionRequestPolicy } from './execution-request.policy';
import type { FollowedExecution } from './execution-event-streams.service';
import { ExecutionWaiter, type ExecutionWatch } from './execution-waiter.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CANCEL_SETTLE_MS = 5000;
const IN_FLIGHT_RETRY_AFTER_SECONDS = 5;
const STORAGE_RETRY_AFTER_SECONDS = 60;
/** History entries one listing reads at most while looking for matches: a filter that matches little costs a bounded amount. */
const MAX_HISTORY_SCAN = 1000;

/** An execution as lookup() finds it: whose it is, and its result. */
interface KnownExecution {
  owner: string;
  result: ExecutionResult;
}

/** A page of a key's history. */
export interface HistoryPage {
  items: ExecutionHistoryEntry[];
  nextCursor: string | null;
}

/**
 * Every lookup is by (id, owner): another key's execution is answered exactly
 * like one that never existed, so ids cannot be probed across tenants.
 */
@Injectable()
export class ExecutionsService {
  private readonly waitCapMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly policy: ExecutionRequestPolicy,
    private readonly queue: ExecutionQueue,
    private readonly store: ExecutionStore,
    private readonly waiter: ExecutionWaiter,
    private readonly cancels: ExecutionCancels,
    private readonly fairShare: FairShare,
    private readonly history: ExecutionHistory,
    private readonly webhooks: WebhookQueue,
    private readonly webhookTargets: WebhookTargets,
    private readonly keys: ApiKeyStore,
    private readonly events: ExecutionEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.waitCapMs = config.get('api.waitCapMs', { infer: true });
    this.maxBatch = config.get('api.maxBatch', { infer: true });
  }

  /**
   * Queues the job for its owner and answers its result: as queued (built
   * here rather than read back), or with `wait`, once final or when the wait
   * cap runs out, whichever comes first.
   */
  async submit(
    dto: CreateExecutionDto,
    owner: Principal,
    wait: boolean,
    id: string = randomUUID(),
  ): Promise<ExecutionResult> {
    const data = this.policy.toJobData(dto, owner);
    const webhookProblems = await this.webhookProblems([dto], owner);
    if (webhookProblems.length) throw new BadRequestException(webhookProblems);
    // Subscribed while admission is checked, and before the job exists: even the quickest completion is heard.
    const watching = wait ? withRedis(() => this.waiter.watch(id)) : null;
    watching?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    try {
      await this.admit(() => this.queue.enqueue(data, owner.quotas, id, watching ?? undefined));
      const queued = executionResult(identityOf(id, data), { kind: 'queued' });
      const watch = await watching;
      return watch ? await this.follow(watch, id, owner, queued, this.waitCapMs) : queued;
    } finally {
      watching?.then((watch) => watch.close()).catch(() => undefined);
    }
  }

  /**
   * Queues every execution of a batch under `ids`, in order, or none: each
   * item is checked first, and the problems of all of them are answered
   * together, named by index (executions.3.limits.memoryMb ...).
   */
  async submitBatch(items: CreateExecutionDto[], owner: Principal, ids: string[]): Promise<string[]> {
    if (items.length > this.maxBatch) {
      throw new BadRequestException([`executions must contain at most ${this.maxBatch} items (MAX_BATCH)`]);
    }
    const problems: string[] = [];
    const jobs: { id: string; data: ExecutionJobData }[] = [];
    items.forEach((item, i) => {
      try {
        jobs.push({ id: ids[i], data: this.policy.toJobData(item, owner) });
      } catch (error) {
        if (!(error instanceof BadRequestException)) throw error;
        const messages = ([] as string[]).concat((error.getResponse() as { message: string | string[] }).message);
        problems.push(...messages.map((message) => `executions.${i}.${message}`));
      }
    });
    problems.push(...(await this.webhookProblems(items, owner, 'executions.')));
    if (problems.length) throw new BadRequestException(problems);
    await this.admit(() => this.queue.enqueueMany(jobs, owner.quotas));
    return ids;
  }

  /**
   * The results of `ids`, in order, each null when it is unknown, gone or
   * another key's: the same answer for all three, as for GET.
   */
  async getMany(ids: string[], owner: Principal): Promise<(ExecutionResult | null)[]> {
    if (ids.length > this.maxBatch) {
      throw new BadRequestException([`ids must name at most ${this.maxBatch} executions (MAX_BATCH)`]);
    }
    return Promise.all(
      ids.map((id) =>
        this.get(id, owner).catch((error: unknown) => {
          if (error instanceof NotFoundException) return null;
          throw error;
        }),
      ),
    );
  }

  /**
   * A page of the key's history, newest first, as summaries. Entries whose
   * result is gone are dropped as they are met; at most MAX_HISTORY_SCAN are
   * read per page, so a page may hold fewer items than asked and still have a
   * nextCursor.
   */
  async list(owner: Principal, query: ListExecutionsQueryDto): Promise<HistoryPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const items: ExecutionHistoryEntry[] = [];
    let position = query.cursor ?? null;
    let scanned = 0;
    return withRedis(async () => {
      while (items.length < limit && scanned < MAX_HISTORY_SCAN) {
        const entries = await this.history.page(owner.keyId, position, Math.min(MAX_HISTORY_SCAN - scanned, 2 * limit));
        if (!entries.length) return { items, nextCursor: null };
        const summaries = await this.summaries(entries.map(idOfEntry), owner);
        const gone: string[] = [];
        for (const entry of entries) {
          position = entry;
          scanned++;
          const summary = summaries.get(idOfEntry(entry));
          if (!summary) {
            if (isPastEntryGrace(entry)) gone.push(entry);
            continue;
          }
          if (query.status && summary.status !== query.status) continue;
          if (query.environment && summary.environment !== query.environment) continue;
          items.push(summary);
          if (items.length === limit) break;
        }
        await this.history.forget(owner.keyId, gone);
      }
      const more = (await this.history.page(owner.keyId, position, 1)).length > 0;
      return { items, nextCursor: more ? position : null };
    });
  }

  async get(id: string, owner: Principal): Promise<ExecutionResult> {
    const found = UUID.test(id) ? await withRedis(() => this.lookup(id)) : null;
    if (found?.owner === owner.keyId) return found.result;
    throw this.notFound(id);
  }

  /** What an event stream of `id` follows, for its owner (the first read is the 404 for anyone else). */
  eventSource(id: string, owner: Principal, headers?: Record<string, string>): FollowedExecution {
    return { id, read: () => this.get(id, owner), watch: (onChange) => this.waiter.listen(id, onChange), headers };
  }

  /**
   * The result once final, or the latest one when the wait cap (or `timeoutMs`)
   * runs out first. Ownership is checked by the first read; `known` may skip
   * it only because it is the owner's own submission.
   */
  async waitForFinal(id: string, owner: Principal, timeoutMs = this.waitCapMs): Promise<ExecutionResult> {
    if (!UUID.test(id)) throw this.notFound(id);
    const watch = await withRedis(() => this.waiter.watch(id)); // before the first read: no lost wake-up
    try {
      return await this.follow(watch, id, owner, await this.get(id, owner), timeoutMs);
    } finally {
      watch.close();
    }
  }

  /**
   * DELETE: a queued or running execution is cancelled, and its result
   * answered; a final one is deleted with everything kept of it, and the
   * answer is null (204).
   */
  async cancelOrDelete(id: string, owner: Principal): Promise<ExecutionResult | null> {
    const current = await this.get(id, owner);
    if (isFinalStatus(current.status)) {
      await withRedis(async () => {
        await this.store.remove(id, owner.keyId);
        await this.events.remove(id);
        await (await this.queue.find(id))?.remove(); // a job that failed before its record was written
      });
      return null;
    }
    await withRedis(() => this.cancels.request(id));
    if (current.status === 'queued' && (await this.removeQueued(id, owner, current))) return this.get(id, owner);
    await withRedis(() => this.cancels.notify(id));
    const result = await this.waitForFinal(id, owner, CANCEL_SETTLE_MS);
    if (result.status !== 'cancelled') {
      throw new ConflictException(`execution ${id} finished as ${result.status} before it could be cancelled`);
    }
    return result;
  }

  /** The summaries of `ids` that are the owner's and still known, found as lookup() finds one. */
  private async summaries(ids: string[], owner: Principal): Promise<Map<string, ExecutionHistoryEntry>> {
    const found = new Map<string, ExecutionHistoryEntry>();
    for (const [id, known] of await this.findAll(ids, (some) => this.store.readWithoutOutput(some))) {
      if (known.owner === owner.keyId) found.set(id, historyEntryOf(known.result));
    }
    return found;
  }

  /** Admission, with a key's quotas answered as 429 and nothing queued. */
  private async admit(enqueue: () => Promise<unknown>): Promise<void> {
    try {
      await enqueue();
    } catch (error) {
      if (error instanceof InFlightLimitError)
        throw new TooManyRequestsException(error.message, IN_FLIGHT_RETRY_AFTER_SECONDS);
      if (error instanceof StorageBudgetError)
        throw new TooManyRequestsException(error.message, STORAGE_RETRY_AFTER_SECONDS);
      throw error;
    }
  }

  /**
   * What is wrong with the webhooks of `items` (named `<prefix><index>.webhook.url`
   * in a batch): the SSRF rules, and a key with no signing secret.
   */
  private async webhookProblems(items: CreateExecutionDto[], owner: Principal, prefix?: string): Promise<string[]> {
    const field = (i: number) => (prefix === undefined ? 'webhook' : `${prefix}${i}.webhook`);
    const asked = items.map((item, i) => ({ url: item.webhook?.url, i })).filter((item) => item.url !== undefined);
    if (!asked.length) return [];
    const problems = await Promise.all(
      asked.map(({ url, i }) =>
        this.webhookTargets.resolve(url!).then(
          () => null,
          (error: unknown) => {
            if (error instanceof WebhookTargetError) return `${field(i)}.url ${error.message}`;
            throw error;
          },
        ),
      ),
    );
    if (!(await withRedis(() => this.keys.webhookSecret(owner.keyId)))) {
      problems.push(
        `${field(asked[0].i)}: this API key has no webhook signing secret yet; an admin can make one ` +
          `(POST /v1/keys/${owner.keyId}/webhook-secret, or npm run keys -- rotate-webhook-secret)`,
      );
    }
    return problems.filter((problem): problem is string => problem !== null);
  }

  private async lookup(id: string): Promise<KnownExecution | null> {
    const read = async ([one]: string[]) => {
      const stored = await this.store.read(one);
      return new Map(stored ? [[one, stored]] : []);
    };
    return (await this.findAll([id], read)).get(id) ?? null;
  }

  /**
   * Where executions are: their final records first, then the jobs BullMQ
   * holds, then the records again. A job's record is written before its job
   * goes, so one that finished between the first two reads is found by the third.
   */
  private async findAll(
    ids: string[],
    readStored: (ids: string[]) => Promise<Map<string, KnownExecution>>,
  ): Promise<Map<string, KnownExecution>> {
    const found = await readStored(ids);
    const neither: string[] = [];
    for (const id of ids.filter((one) => !found.has(one))) {
      const pending = await this.queue.findWithState(id);
      const result = pending && resultOfPendingJob(pending.job, pending.state);
      if (pending && result) found.set(id, { owner: pending.job.data.ownerKeyId, result });
      else neither.push(id);
    }
    if (neither.length) for (const [id, known] of await readStored(neither)) found.set(id, known);
    return found;
  }

  private async follow(
    watch: ExecutionWatch,
    id: string,
    owner: Principal,
    current: ExecutionResult,
    timeoutMs: number,
  ): Promise<ExecutionResult> {
    const deadline = Date.now() + timeoutMs;
    while (!isFinalStatus(current.status) && (await watch.changed(deadline - Date.now()))) {
      current = await this.get(id, owner);
    }
    return current;
  }

  /** A queued job is removed so it never runs; its final result is written first so no reader sees a gap. */
  private async removeQueued(id: string, owner: Principal, current: ExecutionResult): Promise<boolean> {
    const job = await this.queue.find(id);
    const identity = job ? identityOf(id, job.data) : current;
    const report = storedReportOf({ kind: 'cancelled', finishedAt: new Date().toISOString(), workerId: null });
    const record = await withRedis(() => this.store.save(owner.keyId, identity, report, NO_OUTPUT));
    try {
      await job?.remove();
      await this.fairShare.release(owner.keyId, id).catch(() => undefined); // the queue forgets it lazily otherwise
      // Only once the job is surely gone: had a worker taken it, the worker's own result would be the final one.
      if (job) await this.webhooks.finalReached(id, job.data).catch(() => undefined);
      return true;
    } catch {
      // A worker took it meanwhile: it is cancelled while running instead, and writes its own result.
      await this.store.remove(id, owner.keyId, record ?? '').catch(() => undefined);
      return false;
    }
  }

  /** The same answer whether the id never existed, has expired, or belongs to another key. */
  private notFound(id: string): NotFoundException {
    return new NotFoundException(
      `execution ${id} not found: it never existed, was deleted, or its result has expired (results are kept ${this.store.ttlSeconds} s)`,
    );
  }
}
