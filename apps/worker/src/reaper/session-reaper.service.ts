import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, WorkerConfig } from '@sps/config';
import { isOpenSession, nextExpiry, SessionQueue, SessionRecord, SessionRecords } from '@sps/queue';
import { ContainerRuntime, ManagedContainer } from '@sps/sandbox';

/** Why an open session must end now although its worker has not ended it, or null. */
export const overdueReason = (record: SessionRecord, now: number, graceMs: number): string | null => {
  if (nextExpiry(record) + graceMs > now) return null;
  return Date.parse(record.expiresAt) <= Date.parse(record.idleExpiresAt)
    ? `its lifetime of ${record.maxLifetimeSeconds} s ended`
    : `idle for ${record.idleTimeoutSeconds} s`;
};

/**
 * What the workers do for sessions whose own worker cannot: every worker's
 * reaper, each pass, marks the sessions of workers without a live heartbeat
 * `lost` (and removes their session queues), and closes open sessions long past their
 * idle or lifetime expiry, removing their containers when this engine has
 * them. Their owners normally do both first; this is the backstop.
 */
@Injectable()
export class SessionReaper {
  private readonly logger = new Logger(SessionReaper.name);
  private readonly config: WorkerConfig;

  constructor(
    private readonly records: SessionRecords,
    private readonly queue: SessionQueue,
    private readonly runtime: ContainerRuntime,
    config: ConfigService<AppConfig, true>,
  ) {
    this.config = config.get('worker', { infer: true });
  }

  /** `live`: the workers with a live heartbeat, or null when Redis could not say (then no one is judged lost). */
  async sweep(live: Set<string> | null, containers: ManagedContainer[], now = Date.now()): Promise<void> {
    if (live) await this.markLost(live, now);
    await this.closeOverdue(new Set(containers.map((c) => c.id)), now);
  }

  private async markLost(live: Set<string>, now: number): Promise<void> {
    for (const workerId of await this.records.registeredWorkers(now - this.config.heartbeatTtlMs)) {
      if (workerId === this.config.id || live.has(workerId)) continue;
      for (const id of await this.records.ownedIds(workerId)) {
        const record = await this.records.get(id);
        if (record && isOpenSession(record.status)) {
          await this.records.end(record, 'lost', `its worker ${workerId} stopped (no heartbeat)`);
          this.logger.warn(`session ${id}: lost with its worker ${workerId}`);
        }
      }
      await this.queue.forget(workerId);
      await this.records.forgetWorker(workerId);
    }
  }

  private async closeOverdue(onThisEngine: Set<string>, now: number): Promise<void> {
    const grace = this.config.reaperDeadlineGraceMs;
    for (const id of await this.records.expiredBefore(now - grace)) {
      const record = await this.records.get(id);
      if (!record || !isOpenSession(record.status)) continue;
      const reason = overdueReason(record, now, grace);
      if (!reason) continue;
      await this.records.end(record, 'closed', reason);
      this.logger.warn(`session ${id}: closed by the reaper, ${reason}`);
      if (record.containerId && onThisEngine.has(record.containerId)) {
        await this.runtime.removeContainer(record.containerId).catch(() => undefined);
      }
    }
  }
}
