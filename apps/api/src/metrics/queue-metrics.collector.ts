import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { COUNTED_JOB_STATES, QueueStats, WorkerHeartbeat, WorkerRegistry } from '@sps/queue';
import { MetricsRegistry } from './metrics.registry';

/**
 * Gauges read from Redis at scrape time: queue counts and what workers said in
 * their last heartbeat. A scrape while Redis is away leaves them unset rather than failing.
 */
@Injectable()
export class QueueMetricsCollector implements OnModuleInit {
  private readonly heartbeatTtlMs: number;

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly stats: QueueStats,
    private readonly registry: WorkerRegistry,
    config: ConfigService<AppConfig, true>,
  ) {
    this.heartbeatTtlMs = config.get('worker.heartbeatTtlMs', { infer: true });
  }

  onModuleInit(): void {
    this.metrics.gauge({
      name: 'sps_queue_jobs',
      help: 'Jobs in each queue by state (environment builds appear under their own queue)',
      labelNames: ['queue', 'state'] as const,
      collect: async (gauge) => {
        gauge.reset();
        const counts = await this.stats.counts().catch(() => ({}));
        for (const [queue, byState] of Object.entries(counts)) {
          for (const state of COUNTED_JOB_STATES) gauge.set({ queue, state }, byState[state]);
        }
      },
    });
    this.metrics.gauge({
      name: 'sps_queue_depth',
      help: 'Jobs waiting to be picked up (waiting, prioritized and delayed) in each queue',
      labelNames: ['queue'] as const,
      collect: async (gauge) => {
        gauge.reset();
        const counts = await this.stats.counts().catch(() => ({}));
        for (const [queue, c] of Object.entries(counts)) gauge.set({ queue }, c.waiting + c.prioritized + c.delayed);
      },
    });
    this.workerGauge('sps_workers_live', 'Workers with a heartbeat within HEARTBEAT_TTL_MS', [], (live, gauge) =>
      gauge.set(live.length),
    );
    this.workerGauge(
      'sps_active_containers',
      'Sandbox containers running jobs now, over all live workers',
      [],
      (live, gauge) => gauge.set(live.reduce((sum, w) => sum + w.busy, 0)),
    );
    this.workerGauge('sps_worker_busy_slots', 'Jobs each live worker is running', ['worker'], (live, gauge) => {
      for (const w of live) gauge.set({ worker: w.id }, w.busy);
    });
    this.workerGauge('sps_worker_concurrency', 'Jobs each live worker may run at once', ['worker'], (live, gauge) => {
      for (const w of live) gauge.set({ worker: w.id }, w.concurrency);
    });
    this.workerGauge(
      'sps_worker_docker_up',
      'Whether each live worker reaches its Docker engine (1) or not (0)',
      ['worker'],
      (live, gauge) => {
        for (const w of live) gauge.set({ worker: w.id }, w.docker.up ? 1 : 0);
      },
    );
    // The warm pool, per worker and environment, from the same heartbeats. Hits and misses are the
    // worker's running totals since it started; the hit rate is hits / (hits + misses).
    this.workerGauge(
      'sps_pool_idle_containers',
      'Pre-started containers waiting for a job',
      ['worker', 'environment'],
      (live, gauge) => {
        for (const w of live)
          for (const [environment, p] of Object.entries(w.pool ?? {})) gauge.set({ worker: w.id, environment }, p.idle);
      },
    );
    this.workerGauge(
      'sps_pool_target_containers',
      'Pre-started containers each worker aims to keep',
      ['worker', 'environment'],
      (live, gauge) => {
        for (const w of live)
          for (const [environment, p] of Object.entries(w.pool ?? {}))
            gauge.set({ worker: w.id, environment }, p.target);
      },
    );
    this.workerGauge(
      'sps_pool_hits',
      'Jobs that got a pre-started container, since the worker started',
      ['worker', 'environment'],
      (live, gauge) => {
        for (const w of live)
          for (const [environment, p] of Object.entries(w.pool ?? {})) gauge.set({ worker: w.id, environment }, p.hits);
      },
    );
    this.workerGauge(
      'sps_pool_misses',
      'Jobs that had to start a container cold, since the worker started',
      ['worker', 'environment'],
      (live, gauge) => {
        for (const w of live)
          for (const [environment, p] of Object.entries(w.pool ?? {}))
            gauge.set({ worker: w.id, environment }, p.misses);
      },
    );
    this.workerGauge(
      'sps_pool_hit_ratio',
      'Share of jobs that got a pre-started container, over all live workers',
      ['environment'],
      (live, gauge) => {
        const totals = new Map<string, { hits: number; all: number }>();
        for (const w of live) {
          for (const [environment, p] of Object.entries(w.pool ?? {})) {
            const t = totals.get(environment) ?? { hits: 0, all: 0 };
            totals.set(environment, { hits: t.hits + p.hits, all: t.all + p.hits + p.misses });
          }
        }
        for (const [environment, t] of totals) if (t.all) gauge.set({ environment }, t.hits / t.all);
      },
    );
  }

  private workerGauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (live: WorkerHeartbeat[], gauge: import('prom-client').Gauge<L>) => void,
  ): void {
    this.metrics.gauge({
      name,
      help,
      labelNames,
      collect: async (gauge) => {
        gauge.reset();
        const live = await this.registry.live(this.heartbeatTtlMs).catch(() => null);
        if (live) fill(live, gauge);
      },
    });
  }
}
