import { Injectable, OnModuleInit } from '@nestjs/common';
import { EnvironmentImageStats, ImageOperationTotal } from '@sps/environments';
import { Counter } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';

/**
 * Environment image builds, pulls and pushes over every worker, from the
 * running totals the workers keep in Redis, read at scrape time. The mean
 * duration of each is `rate(…_seconds_total) / rate(…_total)`.
 */
@Injectable()
export class EnvironmentImageMetricsCollector implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly stats: EnvironmentImageStats,
  ) {}

  onModuleInit(): void {
    this.totals(
      'sps_environment_images_total',
      'Environment image builds, pulls (by digest, from REGISTRY_URL) and pushes, by outcome, over all workers',
      (t) => t.count,
    );
    this.totals(
      'sps_environment_image_seconds_total',
      'Time spent in environment image builds, pulls and pushes, by outcome, over all workers',
      (t) => t.seconds,
    );
  }

  private totals(name: string, help: string, value: (total: ImageOperationTotal) => number): void {
    const stats = this.stats;
    new Counter({
      name,
      help,
      labelNames: ['operation', 'outcome'] as const,
      registers: [this.metrics.registry],
      // Totals kept in Redis by the workers: the counter shows them as they are, and a scrape while Redis is away shows none.
      async collect() {
        this.reset();
        const totals = await stats.totals().catch(() => []);
        for (const total of totals) this.inc({ operation: total.operation, outcome: total.outcome }, value(total));
      },
    });
  }
}
