import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The one Prometheus registry of the API and every metric it serves, declared
 * here so names and labels stay consistent. Collectors fill them in: the job
 * counters from the queue's event stream, the gauges from Redis at scrape time.
 * Everything a worker knows reaches these through Redis only.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  readonly executions = new Counter({
    name: 'sps_executions_total',
    help: 'Executions that reached a final status, by status and environment',
    labelNames: ['status', 'environment'] as const,
    registers: [this.registry],
  });

  readonly executionDuration = new Histogram({
    name: 'sps_execution_duration_seconds',
    help: 'Time of finished executions, split into phase="queue_wait" (enqueued to picked up) and phase="run" (picked up to finished)',
    labelNames: ['phase', 'environment'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly jobsFinished = new Counter({
    name: 'sps_queue_jobs_finished_total',
    help: 'Jobs that left a queue for good, by queue and outcome (completed or failed); counts environment builds on their queue',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'sps_http_request_duration_seconds',
    help: 'HTTP request latency, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sps_api_' });
  }

  /** Registers a gauge whose value is read at scrape time. */
  gauge<L extends string>(config: {
    name: string;
    help: string;
    labelNames: readonly L[];
    collect: (gauge: Gauge<L>) => Promise<void>;
  }): Gauge<L> {
    const { collect, ...rest } = config;
    return new Gauge<L>({
      ...rest,
      registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
