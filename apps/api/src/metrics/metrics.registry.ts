import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One sample of a metric read from elsewhere; a histogram names its `_bucket`, `_sum` and `_count` samples. */
export interface ExternalSample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The one Prometheus registry of the API and every metric it serves, declared
 * here so names and labels stay consistent. Collectors fill them in at scrape
 * time from Redis: the job totals from the counters workers keep, the gauges
 * from heartbeats and queue counts. Everything a worker knows reaches these
 * through Redis only.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

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

  /** A counter whose values are totals kept elsewhere (in Redis), read whole at scrape time. */
  counterFrom(config: { name: string; help: string; collect: () => Promise<ExternalSample[]> }): void {
    this.external('counter', config);
  }

  /** A histogram whose buckets, sum and count are kept elsewhere (in Redis), read whole at scrape time. */
  histogramFrom(config: { name: string; help: string; collect: () => Promise<ExternalSample[]> }): void {
    this.external('histogram', config);
  }

  private external(
    type: 'counter' | 'histogram',
    { name, help, collect }: { name: string; help: string; collect: () => Promise<ExternalSample[]> },
  ): void {
    // prom-client renders any registered object with get(); its own Counter and Histogram can only be added to.
    const metric = {
      name,
      help,
      type,
      aggregator: 'max',
      get: async () => ({ name, help, type, aggregator: 'max', values: await collect() }),
    };
    this.registry.registerMetric(metric as never);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
