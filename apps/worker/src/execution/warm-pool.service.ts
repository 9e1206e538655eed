import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, SandboxConfig, SandboxLimits, WarmPoolConfig } from '@sps/config';
import type { PoolStats } from '@sps/queue';
import { AttachedContainer, ContainerRuntime, sandboxResources, waitForRunnerReady } from '@sps/sandbox';
import { isDeepStrictEqual } from 'node:util';
import { EnvironmentImageResolver } from '../environment-build/environment-image-resolver.service';
import { CancellationService } from '../runtime/cancellation.service';
import { ContainerDisposer } from '../runtime/container-disposer.service';
import { SandboxSpecs, WARM_POOL_JOB } from './sandbox-specs.service';

interface WarmContainer {
  container: AttachedContainer;
  image: string;
  createdAt: number;
  onExit: () => void;
}

const FAILURE_BACKOFF_MS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Pre-started containers, each already running the runner with Python loaded
 * and waiting on stdin for its one payload. A job (or a new session) takes one
 * and it is removed afterwards like any other: a container never serves a second job.
 *
 * They carry the default limits. A job asking for other memory, CPU or process
 * limits gets its container updated before use (the engine applies those to a
 * running container); time and output limits travel in the payload, so any
 * value works. A job that asks for network, or whose update fails, runs cold.
 */
@Injectable()
export class WarmPool implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WarmPool.name);
  private readonly idle = new Map<string, WarmContainer[]>();
  private readonly counters = new Map<string, { hits: number; misses: number }>();
  private readonly config: WarmPoolConfig;
  private readonly sandbox: SandboxConfig;
  private readonly concurrency: number;
  private readonly longestSessionMs: number;
  private filling = false;
  private stopped = false;
  /** The container being started right now, awaited at shutdown so none is left behind. */
  private adding: Promise<boolean> | null = null;
  private ageTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly images: EnvironmentImageResolver,
    private readonly jobs: CancellationService,
    private readonly disposer: ContainerDisposer,
    private readonly specs: SandboxSpecs,
    config: ConfigService<AppConfig, true>,
  ) {
    this.config = config.get('worker.pool', { infer: true });
    this.sandbox = config.get('sandbox', { infer: true });
    this.concurrency = config.get('worker.concurrency', { infer: true });
    this.longestSessionMs = config.get('sessions.max.maxLifetimeSeconds', { infer: true }) * 1000;
  }

  onApplicationBootstrap(): void {
    this.refillSoon(0);
    const every = Math.min(10_000, Math.max(250, this.config.maxIdleMs / 4));
    this.ageTimer = setInterval(() => this.retireStale(), every);
  }

  /** A ready container for this job, or null when none fits and the job must start one cold. */
  async take(
    environment: string,
    image: string,
    limits: SandboxLimits,
    network: boolean,
  ): Promise<AttachedContainer | null> {
    const waiting = this.idle.get(environment) ?? [];
    let entry = network ? undefined : waiting.shift();
    // Skip containers built from an image this environment no longer uses, or already gone.
    while (entry && (entry.image !== image || entry.container.stdout.readableEnded)) {
      this.discard(entry);
      entry = waiting.shift();
    }
    this.refillSoon();
    if (!entry) return this.count(environment, null);
    entry.container.stdout.off('end', entry.onExit);
    const resources = sandboxResources(limits);
    if (!isDeepStrictEqual(resources, sandboxResources(this.sandbox.defaults))) {
      try {
        await entry.container.updateResources(resources);
      } catch (error) {
        this.logger.warn(`could not apply a job's limits to a warm container, running cold: ${String(error)}`);
        this.disposer.dispose(entry.container, 'warm pool');
        return this.count(environment, null);
      }
    }
    return this.count(environment, entry.container);
  }

  stats(): Record<string, PoolStats> {
    const stats: Record<string, PoolStats> = {};
    const names = new Set([...Object.keys(this.config.sizes), ...this.counters.keys()]);
    for (const name of names) {
      const { hits, misses } = this.counters.get(name) ?? { hits: 0, misses: 0 };
      stats[name] = { idle: this.idle.get(name)?.length ?? 0, target: this.config.sizes[name] ?? 0, hits, misses };
    }
    return stats;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ageTimer);
    await this.adding; // discards its container itself once it sees the pool stopped
    for (const list of this.idle.values()) list.splice(0).forEach((entry) => this.discard(entry));
  }

  private count(environment: string, container: AttachedContainer | null): AttachedContainer | null {
    const counter = this.counters.get(environment) ?? { hits: 0, misses: 0 };
    if (container) counter.hits++;
    else counter.misses++;
    this.counters.set(environment, counter);
    return container;
  }

  private refillSoon(delayMs = this.config.refillIntervalMs): void {
    if (this.filling || this.stopped) return;
    this.filling = true;
    setTimeout(() => void this.refill(), delayMs);
  }

  /** One container at a time, with a pause between, and none while every job slot is busy. */
  private async refill(): Promise<void> {
    try {
      for (let environment = this.shortfall(); environment && !this.stopped; environment = this.shortfall()) {
        if (this.jobs.busy >= this.concurrency) {
          await sleep(Math.max(this.config.refillIntervalMs, 50));
          continue;
        }
        this.adding = this.addOne(environment);
        const added = await this.adding;
        this.adding = null;
        await sleep(added ? this.config.refillIntervalMs : FAILURE_BACKOFF_MS);
      }
    } finally {
      this.filling = false;
    }
  }

  private shortfall(): string | undefined {
    return Object.entries(this.config.sizes).find(([name, size]) => (this.idle.get(name)?.length ?? 0) < size)?.[0];
  }

  private async addOne(environment: string): Promise<boolean> {
    let container: AttachedContainer | undefined;
    try {
      const image = await this.images.imageForPool(environment);
      // It waits up to POOL_MAX_IDLE_MS, then serves a job that may take the longest time limit there is, or a
      // session that may live the longest lifetime there is: its deadline label bounds either.
      const lifetimeMs = this.config.maxIdleMs + Math.max(this.sandbox.max.timeoutMs, this.longestSessionMs);
      const spec = this.specs.sandboxSpecFor({
        id: WARM_POOL_JOB,
        image,
        limits: this.sandbox.defaults,
        network: false,
        lifetimeMs,
      });
      container = await this.runtime.startAttached(spec);
      await waitForRunnerReady(container, this.config.readyTimeoutMs);
      const entry: WarmContainer = {
        container,
        image,
        createdAt: Date.now(),
        onExit: () => this.evict(environment, entry),
      };
      container.stdout.once('end', entry.onExit);
      if (this.stopped) this.discard(entry);
      else this.idle.set(environment, [...(this.idle.get(environment) ?? []), entry]);
      return true;
    } catch (error) {
      this.logger.warn(`could not pre-start a container for "${environment}": ${(error as Error).message}`);
      if (container) this.disposer.dispose(container, 'warm pool');
      return false;
    }
  }

  /** A container that died while waiting (killed from outside) leaves the pool. */
  private evict(environment: string, entry: WarmContainer): void {
    const list = this.idle.get(environment) ?? [];
    const index = list.indexOf(entry);
    if (index >= 0) list.splice(index, 1);
    this.discard(entry);
    this.refillSoon();
  }

  private retireStale(): void {
    const cutoff = Date.now() - this.config.maxIdleMs;
    for (const [environment, list] of this.idle) {
      const stale = list.filter((entry) => entry.createdAt < cutoff);
      if (!stale.length) continue;
      this.idle.set(
        environment,
        list.filter((entry) => entry.createdAt >= cutoff),
      );
      stale.forEach((entry) => this.discard(entry));
    }
    this.refillSoon();
  }

  private discard(entry: WarmContainer): void {
    entry.container.stdout.off('end', entry.onExit);
    this.disposer.dispose(entry.container, 'warm pool');
  }
}
