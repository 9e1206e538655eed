import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, SandboxConfig, SandboxLimits, WarmPoolConfig } from '@sps/config';
import type { PoolStats } from '@sps/queue';
import { AttachedContainer, ContainerRuntime, sandboxResources, waitForRunnerReady } from '@sps/sandbox';
import type { ContainerCreateOptions } from 'dockerode';
import { isDeepStrictEqual } from 'node:util';
import { EnvironmentImageResolver } from '../environment-build/environment-image-resolver.service';
import { CancellationService } from '../runtime/cancellation.service';
import { ContainerDisposer } from '../runtime/container-disposer.service';
import { SandboxSpecs, WARM_POOL_JOB } from './sandbox-specs.service';

interface WarmContainer {
  container: AttachedContainer;
  image: string;
  createdAt: number;
}

/** One environment's pool: what it aims for now, and when a job last took from it. */
interface PoolState {
  target: number;
  lastTakenAt: number;
}

const FAILURE_BACKOFF_MS = 5000;
/** How often the pool looks at its containers' ages and at idle pools to shrink. */
const MAINTENANCE_MAX_MS = 10_000;

/**
 * Pre-started containers, each already running the runner with Python loaded
 * and waiting on stdin for its one payload. A job (or a new session) takes one
 * and it is removed afterwards like any other: a container never serves a second job.
 *
 * They carry the default limits. A job asking for other memory, CPU or process
 * limits gets its container updated before use (the engine applies those to a
 * running container); time and output limits travel in the payload, so any
 * value works. A job that asks for network, or whose update fails, runs cold.
 *
 * Each environment's pool keeps POOL_SIZES containers at least. A job that
 * finds it empty, or takes its last container, makes it grow by one, up to
 * POOL_MAX_SIZE: the pool then keeps up with a steady stream of jobs whose
 * gaps are shorter than one container start. A pool no job took from for
 * POOL_SHRINK_AFTER_MS goes back one container at a time. Up to
 * POOL_REFILL_CONCURRENCY containers start at once, and none while every job
 * slot of the worker is busy, so refilling never crowds out running jobs.
 */
@Injectable()
export class WarmPool implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WarmPool.name);
  private readonly idle = new Map<string, WarmContainer[]>();
  private readonly pools = new Map<string, PoolState>();
  /** Containers being started now, per environment; awaited at shutdown so none is left behind. */
  private readonly starting = new Map<string, Set<Promise<void>>>();
  private readonly counters = new Map<string, { hits: number; misses: number }>();
  private readonly config: WarmPoolConfig;
  private readonly sandbox: SandboxConfig;
  private readonly concurrency: number;
  private readonly longestSessionMs: number;
  private stopped = false;
  private backoffUntil = 0;
  private pumpTimer: NodeJS.Timeout | undefined;
  /** When the scheduled pump runs (epoch ms): an earlier call brings it forward. */
  private pumpAt = 0;
  private maintenanceTimer: NodeJS.Timeout | undefined;

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
    for (const [environment, size] of Object.entries(this.config.sizes)) {
      this.pools.set(environment, { target: size, lastTakenAt: 0 });
    }
    this.longestSessionMs = config.get('sessions.max.maxLifetimeSeconds', { infer: true }) * 1000;
  }

  onApplicationBootstrap(): void {
    this.refillSoon(0);
    const every = Math.min(
      MAINTENANCE_MAX_MS,
      Math.max(250, Math.min(this.config.maxIdleMs, this.config.shrinkAfterMs) / 4),
    );
    this.maintenanceTimer = setInterval(() => this.maintain(), every);
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
    // Skip containers built from an image this environment no longer uses, or that died while they waited.
    while (entry && (entry.image !== image || entry.container.gone)) {
      this.discard(entry);
      entry = waiting.shift();
    }
    if (!network) this.demand(environment, waiting.length);
    this.refillSoon();
    if (!entry) return this.count(environment, null);
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
    const names = new Set([...this.pools.keys(), ...this.counters.keys()]);
    for (const name of names) {
      const { hits, misses } = this.counters.get(name) ?? { hits: 0, misses: 0 };
      stats[name] = { idle: this.idle.get(name)?.length ?? 0, target: this.pools.get(name)?.target ?? 0, hits, misses };
    }
    return stats;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.maintenanceTimer);
    clearTimeout(this.pumpTimer);
    // Each discards its container itself once it sees the pool stopped.
    await Promise.all([...this.starting.values()].flatMap((set) => [...set]));
    for (const list of this.idle.values()) list.splice(0).forEach((entry) => this.discard(entry));
  }

  /** A job took from (or found empty) a pool that was down to `left`: it grows, up to its cap. */
  private demand(environment: string, left: number): void {
    const pool = this.pools.get(environment);
    if (!pool || pool.target === 0) return; // an environment without a pool stays without one
    pool.lastTakenAt = Date.now();
    if (left === 0)
      pool.target = Math.min(Math.max(this.config.maxSize, this.config.sizes[environment]), pool.target + 1);
  }

  private count(environment: string, container: AttachedContainer | null): AttachedContainer | null {
    const counter = this.counters.get(environment) ?? { hits: 0, misses: 0 };
    if (container) counter.hits++;
    else counter.misses++;
    this.counters.set(environment, counter);
    return container;
  }

  /**
   * A job that took a container has ended (its result is stored): refill
   * after `afterMs`, once the result is on its way, rather than wait out
   * POOL_REFILL_INTERVAL_MS, which only bounds how long a long job delays its refill.
   */
  jobEnded(afterMs: number): void {
    this.refillSoon(afterMs);
  }

  private refillSoon(delayMs = this.config.refillIntervalMs): void {
    if (this.stopped) return;
    const at = Date.now() + delayMs;
    if (this.pumpTimer) {
      if (this.pumpAt <= at) return;
      clearTimeout(this.pumpTimer);
    }
    this.pumpAt = at;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = undefined;
      this.pump();
    }, delayMs);
  }

  /** Starts as many containers as the pools lack, up to the refill concurrency; called again as each is ready. */
  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    if (now < this.backoffUntil) return this.refillSoon(this.backoffUntil - now);
    let startingNow = [...this.starting.values()].reduce((sum, set) => sum + set.size, 0);
    for (const [environment, pool] of this.pools) {
      const short = () =>
        pool.target - (this.idle.get(environment)?.length ?? 0) - (this.starting.get(environment)?.size ?? 0);
      while (short() > 0 && startingNow < this.config.refillConcurrency) {
        if (this.jobs.busy >= this.concurrency) return this.refillSoon(Math.max(this.config.refillIntervalMs, 50));
        this.start(environment);
        startingNow++;
      }
    }
  }

  private start(environment: string): void {
    const set = this.starting.get(environment) ?? new Set<Promise<void>>();
    this.starting.set(environment, set);
    const adding: Promise<void> = this.addOne(environment).then((added) => {
      set.delete(adding);
      if (!added) this.backoffUntil = Date.now() + FAILURE_BACKOFF_MS;
      this.refillSoon(0);
    });
    set.add(adding);
  }

  private async addOne(environment: string): Promise<boolean> {
    let spec: ContainerCreateOptions | undefined;
    let container: AttachedContainer | undefined;
    try {
      const image = await this.images.imageForPool(environment);
      // It waits up to POOL_MAX_IDLE_MS, then serves a job that may take the longest time limit there is, or a
      // session that may live the longest lifetime there is: its deadline label bounds either.
      const lifetimeMs = this.config.maxIdleMs + Math.max(this.sandbox.max.timeoutMs, this.longestSessionMs);
      spec = await this.specs.sandboxSpecFor({
        id: WARM_POOL_JOB,
        image,
        limits: this.sandbox.defaults,
        network: false,
        lifetimeMs,
      });
      container = await this.runtime.startAttached(spec);
      await waitForRunnerReady(container, this.config.readyTimeoutMs);
      const entry: WarmContainer = { container, image, createdAt: Date.now() };
      if (this.stopped) {
        this.discard(entry);
        return true;
      }
      this.idle.set(environment, [...(this.idle.get(environment) ?? []), entry]);
      // Seen on the connection even while nobody reads the container: one killed while it waits leaves the pool at once.
      void container.closed.then(() => this.evict(environment, entry));
      return true;
    } catch (error) {
      this.logger.warn(`could not pre-start a container for "${environment}": ${(error as Error).message}`);
      if (container) this.disposer.dispose(container, 'warm pool');
      else if (spec) this.disposer.abandon(spec, error);
      return false;
    }
  }

  /** A container that died while waiting (killed from outside) leaves the pool; one a job took is that job's. */
  private evict(environment: string, entry: WarmContainer): void {
    const list = this.idle.get(environment) ?? [];
    const index = list.indexOf(entry);
    if (index < 0) return;
    list.splice(index, 1);
    this.discard(entry);
    this.refillSoon();
  }

  /** Replaces containers past POOL_MAX_IDLE_MS, and shrinks pools no job took from for POOL_SHRINK_AFTER_MS. */
  private maintain(): void {
    const now = Date.now();
    const cutoff = now - this.config.maxIdleMs;
    for (const [environment, list] of this.idle) {
      const stale = list.filter((entry) => entry.createdAt < cutoff);
      if (!stale.length) continue;
      this.idle.set(
        environment,
        list.filter((entry) => entry.createdAt >= cutoff),
      );
      stale.forEach((entry) => this.discard(entry));
    }
    for (const [environment, pool] of this.pools) {
      const base = this.config.sizes[environment] ?? 0;
      if (pool.target <= base || now - pool.lastTakenAt < this.config.shrinkAfterMs) continue;
      pool.target--;
      pool.lastTakenAt = now; // one step per quiet period
      const list = this.idle.get(environment) ?? [];
      if (list.length > pool.target) this.discard(list.pop()!);
    }
    this.refillSoon();
  }

  private discard(entry: WarmContainer): void {
    this.disposer.dispose(entry.container, 'warm pool');
  }
}
