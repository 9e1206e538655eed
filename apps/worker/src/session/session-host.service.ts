import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { CPU_COUNT, type AppConfig } from '@sps/config';
import {
  isOpenSession,
  ReproducibilityStamp,
  SessionExecutions,
  SessionOp,
  SessionQueue,
  SessionRecord,
  SessionRecords,
  SessionReplies,
} from '@sps/queue';
import { AttachedContainer, ContainerRuntime } from '@sps/sandbox';
import { UnrecoverableError } from 'bullmq';
import { EnvironmentImageResolver } from '../environment-build/environment-image-resolver.service';
import { EnvironmentNotReadyError, EnvironmentUnavailableError } from '../environment-build/environment-errors';
import { SandboxSpecs } from '../execution/sandbox-specs.service';
import { WarmPool } from '../execution/warm-pool.service';
import { ContainerDisposer } from '../runtime/container-disposer.service';
import { ExecutionOutputTap } from '../runtime/execution-output.tap';
import { LiveSession, LiveSessionContext } from './live-session';

type StartOp = Extract<SessionOp, { kind: 'start' }>;

/** A reason a session could not start that is written for its caller. */
class StartRefusal extends Error {}

export interface SessionStats {
  open: number;
  max: number;
}

/**
 * The sessions this worker holds. Requests for them arrive from the worker's
 * own queue (SessionOpsProcessor) and are handed to the session here at once;
 * each session runs its cells itself, in order. Every heartbeat period the
 * host checks that each session is still open in Redis (a delete, or the
 * reaper, may have ended it elsewhere) and refreshes the memory use of idle ones.
 */
@Injectable()
export class SessionHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SessionHost.name);
  private readonly sessions = new Map<string, LiveSession>();
  private readonly context: LiveSessionContext;
  private readonly workerId: string;
  private readonly max: number;
  private readonly sweepIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private accepting = true;

  constructor(
    private readonly records: SessionRecords,
    private readonly runtime: ContainerRuntime,
    private readonly images: EnvironmentImageResolver,
    private readonly pool: WarmPool,
    private readonly specs: SandboxSpecs,
    private readonly queue: SessionQueue,
    executions: SessionExecutions,
    replies: SessionReplies,
    tap: ExecutionOutputTap,
    disposer: ContainerDisposer,
    config: ConfigService<AppConfig, true>,
  ) {
    const worker = config.get('worker', { infer: true });
    this.workerId = worker.id;
    this.sweepIntervalMs = worker.heartbeatIntervalMs;
    this.max = config.get('sessions.perWorker', { infer: true });
    this.context = {
      records,
      executions,
      replies,
      tap,
      disposer,
      sandbox: config.get('sandbox', { infer: true }),
      sessions: config.get('sessions', { infer: true }),
      workerId: worker.id,
      readyTimeoutMs: worker.pool.readyTimeoutMs,
      onEnded: (session) => {
        if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
      },
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.records.registerWorker(this.workerId).catch(() => undefined);
    // This process holds no session yet: any that Redis gives to this worker's id are from an earlier run of it.
    const earlier = await this.records.ownedIds(this.workerId).catch(() => []);
    for (const id of earlier) {
      const record = await this.records.get(id).catch(() => null);
      if (record && isOpenSession(record.status)) await this.records.end(record, 'lost', 'its worker restarted');
    }
    this.timer = setInterval(() => void this.sweep(), this.sweepIntervalMs);
  }

  stats(): SessionStats {
    return { open: this.sessions.size, max: this.accepting ? this.max : 0 };
  }

  /** Takes one request from the queue; never waits for it to be carried out, so requests reach sessions in order. */
  handle(op: SessionOp): void {
    if (op.kind === 'start') return void this.start(op);
    const session = this.sessions.get(op.sessionId);
    if (!session) return void this.unknown(op);
    switch (op.kind) {
      case 'cell':
        return session.enqueueCell(op);
      case 'close':
        // Ended in Redis already, by whoever asked.
        return void session.end('closed', op.reason, true);
      default:
        return session.fileOp(op);
    }
  }

  private async start(op: StartOp): Promise<void> {
    const record = await this.records.get(op.sessionId);
    if (!record || record.status !== 'starting') return; // the API gave up on it already
    const session = new LiveSession(record, this.context);
    this.sessions.set(record.id, session);
    try {
      if (!this.accepting) throw new StartRefusal('its worker is shutting down');
      const { container, stamp } = await this.containerFor(record);
      await session.open(container, op.files, stamp);
      if (!(await this.records.move(record.id, ['starting'], 'ready', { containerId: container.id }))) {
        return await session.end('closed', 'its creation was given up', true);
      }
      session.startClocks();
      this.logger.log(`session ${record.id}: ready in container ${container.id.slice(0, 12)}`);
    } catch (error) {
      await session.end('closed', `could not start: ${this.reasonOf(error)}`);
    }
  }

  /** A pre-started container of the environment when one waits, else a new one with the job's hardened spec. */
  private async containerFor(
    record: SessionRecord,
  ): Promise<{ container: AttachedContainer; stamp: ReproducibilityStamp }> {
    const { limits } = record;
    if (limits.cpus > CPU_COUNT)
      throw new StartRefusal(
        `limits.cpus is ${limits.cpus}, more than the ${CPU_COUNT} CPUs of worker ${this.workerId}`,
      );
    const { image, stamp } = await this.images.imageFor(record.environment, record.createdAt);
    const warm = await this.pool.take(record.environment, image, limits, false);
    if (warm) return { container: warm, stamp };
    const spec = await this.specs.sandboxSpecFor({
      id: `session-${record.id}`,
      image,
      limits,
      network: false,
      lifetimeMs: Math.max(0, Date.parse(record.expiresAt) - Date.now()),
    });
    try {
      return { container: await this.runtime.startAttached(spec), stamp };
    } catch (error) {
      this.context.disposer.abandon(spec, error);
      throw error;
    }
  }

  /** What a caller may be told about a failed start; anything unexpected is logged in full and told generically. */
  private reasonOf(error: unknown): string {
    if (
      error instanceof StartRefusal ||
      error instanceof UnrecoverableError ||
      error instanceof EnvironmentNotReadyError ||
      error instanceof EnvironmentUnavailableError
    )
      return error.message;
    this.logger.error(`a session could not start: ${error instanceof Error ? error.stack : String(error)}`);
    return 'the worker could not start its container';
  }

  /** A request for a session this process does not hold: it was this worker's before a restart, or it just ended. */
  private async unknown(op: Exclude<SessionOp, StartOp>): Promise<void> {
    const record = await this.records.get(op.sessionId).catch(() => null);
    let reason = record?.reason ?? 'the session is gone from its worker';
    if (record && isOpenSession(record.status) && record.workerId === this.workerId) {
      reason = 'its worker restarted';
      await this.records.end(record, 'lost', reason);
    }
    const { executions, replies } = this.context;
    if (op.kind === 'cell') {
      await executions.write({
        id: op.executionId,
        sessionId: op.sessionId,
        ownerKeyId: op.ownerKeyId,
        createdAt: op.createdAt,
        environment: record?.environment ?? 'default',
        state: {
          kind: 'failed',
          error: `the session ended before the cell ran: ${reason}`,
          finishedAt: new Date().toISOString(),
        },
      });
    } else if (op.kind !== 'close') {
      await replies.put(op.requestId, { ok: false, refusal: 'ended', reason });
    }
  }

  /** Sessions ended elsewhere are let go; idle ones report their memory. */
  async sweep(): Promise<void> {
    for (const session of [...this.sessions.values()]) {
      if (session.isEnded) continue;
      const record = await this.records.get(session.id).catch(() => undefined);
      if (record === undefined) continue; // Redis away: nothing is known
      if (!record || !isOpenSession(record.status)) {
        await session.end(record?.status === 'lost' ? 'lost' : 'closed', record?.reason ?? 'its record is gone', true);
        continue;
      }
      session.refreshMemory();
    }
  }

  /**
   * On SIGTERM: no new session starts; cells running now may finish until
   * `deadline`; then every session is closed, "worker shut down", with what
   * still waited in it, and its container removed.
   */
  async drain(deadline: number): Promise<void> {
    this.accepting = false;
    for (const session of this.sessions.values()) session.hold();
    while ([...this.sessions.values()].some((s) => s.running) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.closeAll('worker shut down');
    // Nothing will read this worker's session queue again: it goes, with whatever was still in it.
    await this.queue
      .forget(this.workerId)
      .catch((e: Error) => this.logger.warn(`session queue not removed: ${e.message}`));
    await this.records.forgetWorker(this.workerId).catch(() => undefined);
  }

  private async closeAll(reason: string): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => session.end('closed', reason)));
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.closeAll('worker shut down');
  }
}
