import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, WorkerConfig } from '@sps/config';
import { WorkerRegistry } from '@sps/queue';
import { ContainerRuntime, ManagedContainer, SANDBOX_LABELS } from '@sps/sandbox';
import { orphanReason, ReapContext } from './orphan-policy';
import { CancellationService } from '../runtime/cancellation.service';
import { SessionReaper } from './session-reaper.service';

/** Removes sandbox containers that nobody will ever remove, and ends sessions nobody else will: at start, then periodically. */
@Injectable()
export class OrphanReaper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OrphanReaper.name);
  private readonly config: WorkerConfig;
  private readonly deployment: string;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<string[]> | null = null;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly registry: WorkerRegistry,
    private readonly cancellations: CancellationService,
    private readonly sessions: SessionReaper,
    config: ConfigService<AppConfig, true>,
  ) {
    this.config = config.get('worker', { infer: true });
    this.deployment = config.get('redis.prefix', { infer: true });
  }

  onApplicationBootstrap(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.reaperIntervalMs);
  }

  /** One pass; returns the ids removed. Never runs twice at once. */
  sweep(): Promise<string[]> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<string[]> {
    let containers: ManagedContainer[];
    try {
      containers = await this.runtime.listManaged();
    } catch {
      return []; // Docker is away; the next pass will see
    }
    const live = await this.registry
      .live(this.config.heartbeatTtlMs)
      .then((workers) => new Set(workers.map((w) => w.id)))
      .catch(() => null);
    await this.sessions
      .sweep(live, containers)
      .catch((error: Error) => this.logger.warn(`sessions not swept: ${error.message}`));
    if (!containers.length) return [];
    const context: ReapContext = {
      deployment: this.deployment,
      selfId: this.config.id,
      live,
      now: Date.now(),
      bootedAt: Math.floor(performance.timeOrigin),
      heartbeatTtlMs: this.config.heartbeatTtlMs,
      deadlineGraceMs: this.config.reaperDeadlineGraceMs,
    };
    const removed: string[] = [];
    for (const container of containers) {
      const job = container.labels[SANDBOX_LABELS.job];
      if (job && this.cancellations.isRunning(job) && container.labels[SANDBOX_LABELS.worker] === this.config.id)
        continue;
      const reason = orphanReason(container, context);
      if (!reason) continue;
      try {
        await this.runtime.removeContainer(container.id);
        removed.push(container.id);
        this.logger.warn(`removed container ${container.id.slice(0, 12)} of job ${job ?? '?'}: ${reason}`);
      } catch (error) {
        this.logger.warn(`could not remove container ${container.id.slice(0, 12)}: ${(error as Error).message}`);
      }
    }
    return removed;
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
