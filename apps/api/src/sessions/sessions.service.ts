import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { DEFAULT_ENVIRONMENT, EnvironmentCatalogue } from '@sps/environments';
import {
  CellAdmission,
  isOpenSession,
  SessionQueue,
  SessionRecord,
  SessionRecords,
  sessionView,
  SessionView,
  WorkerRegistry,
} from '@sps/queue';
import { withRedis } from '@sps/redis';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { TooManyRequestsException } from '../http/too-many-requests.exception';
import type { CreateSessionDto } from './dto/create-session.dto';
import { SessionGoneException } from './session-gone.exception';
import { chooseWorker } from './session-placement';
import { SessionRequest, SessionRequestPolicy } from './session-request.policy';
import { SessionWaiter } from './session-waiter.service';

type CellRefusal = Extract<CellAdmission, { admitted: false }>['refusal'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const QUOTA_RETRY_AFTER_SECONDS = 5;
const QUEUE_RETRY_AFTER_SECONDS = 1;
/** How long a delete waits for the worker to report the container removed. */
const REMOVAL_WAIT_MS = 15_000;

/**
 * Sessions for their owners: create, list, read and delete, and the one check
 * every call on a session passes first (`open`). Another key's session is
 * answered exactly like one that never existed (404); a closed, dead or lost
 * one gets 410 with the reason. A session whose worker stopped sending
 * heartbeats is found lost here, on the first call that looks at it.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);
  private readonly heartbeatTtlMs: number;
  private readonly startTimeoutMs: number;
  private readonly retentionSeconds: number;

  constructor(
    private readonly policy: SessionRequestPolicy,
    private readonly records: SessionRecords,
    private readonly queue: SessionQueue,
    private readonly workers: WorkerRegistry,
    private readonly catalogue: EnvironmentCatalogue,
    private readonly waiter: SessionWaiter,
    config: ConfigService<AppConfig, true>,
  ) {
    this.heartbeatTtlMs = config.get('worker.heartbeatTtlMs', { infer: true });
    this.startTimeoutMs = config.get('sessions.startTimeoutMs', { infer: true });
    this.retentionSeconds = config.get('queue.resultTtlSeconds', { infer: true });
  }

  /**
   * Places a new session on a worker and waits until it is ready: a
   * pre-started container of its environment when the worker has one idle,
   * a new one otherwise.
   */
  async create(dto: CreateSessionDto, owner: Principal): Promise<SessionView> {
    const request = this.policy.toSession(dto, owner);
    await withRedis(() => this.checkEnvironment(request.environment));
    const workerId = await withRedis(() => this.placeOn(request.environment));
    const record = this.newRecord(request, owner, workerId);
    if (!(await withRedis(() => this.admit(record, owner)))) {
      throw new TooManyRequestsException(
        `this API key already has ${owner.quotas.maxSessions} sessions open (its maximum); delete one first`,
        QUOTA_RETRY_AFTER_SECONDS,
      );
    }
    try {
      await this.queue.send(workerId, {
        kind: 'start',
        sessionId: record.id,
        environment: record.environment,
        limits: record.limits,
        files: request.files,
        createdAt: record.createdAt,
        expiresAt: record.expiresAt,
        idleTimeoutSeconds: record.idleTimeoutSeconds,
      });
    } catch (error) {
      await this.records.end(record, 'closed', 'its worker could not be reached').catch(() => undefined);
      throw error;
    }
    const started = await this.waiter.until(
      [record.id],
      this.startTimeoutMs,
      () => withRedis(() => this.records.get(record.id)),
      (current) => current?.status !== 'starting',
    );
    if (started?.status === 'ready' || started?.status === 'busy') return sessionView(started);
    if (started?.status === 'starting') {
      await this.records.end(record, 'closed', `it did not start within ${this.startTimeoutMs} ms`);
      await this.queue.send(workerId, { kind: 'close', sessionId: record.id, reason: 'not started in time' });
      throw new ServiceUnavailableException(
        `the session did not start within ${this.startTimeoutMs} ms (SESSION_START_TIMEOUT_MS); try again`,
      );
    }
    throw new ServiceUnavailableException(`the session could not start: ${started?.reason ?? 'its record is gone'}`);
  }

  /** The key's sessions, newest first: those open, and those ended within the retention time. */
  async list(owner: Principal): Promise<SessionView[]> {
    const records = await withRedis(() => this.records.listOf(owner.keyId));
    return Promise.all(records.map(async (record) => sessionView(await this.current(record))));
  }

  async get(id: string, owner: Principal): Promise<SessionView> {
    return sessionView(await this.open(id, owner));
  }

  /** Closes the session and answers once its worker has removed the container (or could not say so in time). */
  async remove(id: string, owner: Principal): Promise<void> {
    const record = await this.open(id, owner);
    await withRedis(() => this.records.end(record, 'closed', 'deleted'));
    await this.queue.send(record.workerId, { kind: 'close', sessionId: id, reason: 'deleted' });
    const removed = await this.waiter.until(
      [id],
      REMOVAL_WAIT_MS,
      () => withRedis(() => this.records.get(id)),
      (current) => !current || current.containerRemovedAt !== null,
    );
    if (removed && !removed.containerRemovedAt)
      this.logger.warn(`session ${id}: its worker did not report the container removed within ${REMOVAL_WAIT_MS} ms`);
  }

  /** The owner's open session, as it is now: 404 for any other, 410 for one that has ended. */
  async open(id: string, owner: Principal): Promise<SessionRecord> {
    const record = await this.owned(id, owner);
    if (!isOpenSession(record.status)) throw new SessionGoneException(record);
    return record;
  }

  /** The owner's session in any status: 404 for another key's, or one that never existed or expired. */
  async owned(id: string, owner: Principal): Promise<SessionRecord> {
    const record = UUID.test(id) ? await withRedis(() => this.records.get(id)) : null;
    if (!record || record.ownerKeyId !== owner.keyId) throw this.notFound(id);
    return this.current(record);
  }

  /** Why a cell was not admitted, as the answer to give: a stale worker is looked into, and the session found lost. */
  async refusal(id: string, owner: Principal, refusal: CellRefusal, maxQueued: number): Promise<Error> {
    if (refusal === 'full') {
      return new TooManyRequestsException(
        `session ${id} already has ${maxQueued} cells queued or running (its maximum); wait for one to finish`,
        QUEUE_RETRY_AFTER_SECONDS,
      );
    }
    if (refusal === 'starting') return new ConflictException(`session ${id} is still starting`);
    const record = await this.owned(id, owner);
    return isOpenSession(record.status)
      ? new ConflictException(`session ${id} is ${record.status}`)
      : new SessionGoneException(record);
  }

  /** An open session whose worker stopped sending heartbeats is lost: recorded as such, and returned as it is now. */
  private async current(record: SessionRecord): Promise<SessionRecord> {
    if (!isOpenSession(record.status)) return record;
    if (await withRedis(() => this.workers.isLive(record.workerId, this.heartbeatTtlMs))) return record;
    await withRedis(() => this.records.end(record, 'lost', `its worker ${record.workerId} stopped (no heartbeat)`));
    return (await withRedis(() => this.records.get(record.id))) ?? record;
  }

  private async checkEnvironment(name: string): Promise<void> {
    if (name === DEFAULT_ENVIRONMENT) return;
    const environment = await this.catalogue.get(name);
    if (!environment) throw new BadRequestException([`environment "${name}" does not exist`]);
    if (environment.active) return;
    if (environment.latest.status === 'failed')
      throw new ConflictException(`environment "${name}" failed to build: ${environment.latest.error}`);
    throw new ConflictException(`environment "${name}" is still building; create the session once it is ready`);
  }

  private async placeOn(environment: string): Promise<string> {
    const live = await this.workers.live(this.heartbeatTtlMs);
    const open = await this.records.openCounts(live.map((w) => w.id));
    const chosen = chooseWorker(
      live.map((heartbeat, i) => ({ heartbeat, open: open[i] })),
      environment,
    );
    if (!chosen)
      throw new ServiceUnavailableException('no worker can take a session now (each is full or has no Docker)');
    return chosen.id;
  }

  /**
   * Stores the record if the key has room. At its maximum, the key's open
   * sessions are looked at once more first: those whose worker is gone are
   * lost and no longer count.
   */
  private async admit(record: SessionRecord, owner: Principal): Promise<boolean> {
    const max = owner.quotas.maxSessions;
    if (await this.records.admit(record, max)) return true;
    for (const id of await this.records.openIdsOf(owner.keyId)) {
      const open = await this.records.get(id);
      if (!open || !isOpenSession(open.status)) await this.records.forgetOpen(owner.keyId, id);
      else await this.current(open);
    }
    return this.records.admit(record, max);
  }

  private newRecord(request: SessionRequest, owner: Principal, workerId: string): SessionRecord {
    const now = Date.now();
    const createdAt = new Date(now).toISOString();
    return {
      id: randomUUID(),
      ownerKeyId: owner.keyId,
      workerId,
      environment: request.environment,
      status: 'starting',
      reason: null,
      createdAt,
      lastUsedAt: createdAt,
      expiresAt: new Date(now + request.maxLifetimeSeconds * 1000).toISOString(),
      idleExpiresAt: new Date(now + request.idleTimeoutSeconds * 1000).toISOString(),
      idleTimeoutSeconds: request.idleTimeoutSeconds,
      maxLifetimeSeconds: request.maxLifetimeSeconds,
      executionCount: 0,
      memoryBytes: null,
      limits: request.limits,
      containerId: null,
      pending: 0,
      endedAt: null,
      containerRemovedAt: null,
    };
  }

  /** The same answer whether the id never existed, has expired, or belongs to another key. */
  private notFound(id: string): NotFoundException {
    return new NotFoundException(
      `session ${id} not found: it never existed, or it ended more than ${this.retentionSeconds} s ago`,
    );
  }
}
