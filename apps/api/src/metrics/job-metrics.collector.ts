import { Injectable, OnModuleInit } from '@nestjs/common';
import { DURATION_BUCKETS, JobCounters, type CounterSnapshot } from '@sps/queue';
import { MetricsRegistry, type ExternalSample } from './metrics.registry';

/** `a|b|c` -> the label values, in the order the counters wrote them. */
const split = (field: string): string[] => field.split('|');

/** A hash of counters as samples, each field's parts named by `labelNames`. */
const samplesOf = (fields: Map<string, number> | undefined, labelNames: string[]): ExternalSample[] =>
  [...(fields ?? [])].map(([field, value]) => {
    const parts = split(field);
    return { labels: Object.fromEntries(labelNames.map((name, i) => [name, parts[i] ?? ''])), value };
  });

/**
 * The job counters and the duration histogram, read from the totals workers
 * keep in Redis (JobCounters) at scrape time: nothing here reads a job or a
 * result, and every API process serves the same figures.
 */
@Injectable()
export class JobMetricsCollector implements OnModuleInit {
  /** One read per scrape, shared by the three metrics it fills. */
  private snapshot: Promise<CounterSnapshot | null> | null = null;

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly counters: JobCounters,
  ) {}

  onModuleInit(): void {
    this.metrics.counterFrom({
      name: 'sps_executions_total',
      help: 'Executions that reached a final status, by status and environment ("other" for one that does not exist)',
      collect: async () => samplesOf((await this.read())?.executions, ['status', 'environment']),
    });
    this.metrics.counterFrom({
      name: 'sps_queue_jobs_finished_total',
      help: 'Jobs that left a queue for good, by queue and outcome (completed or failed); counts environment builds on their queue',
      collect: async () => samplesOf((await this.read())?.jobsFinished, ['queue', 'outcome']),
    });
    this.metrics.histogramFrom({
      name: 'sps_execution_duration_seconds',
      help: 'Time of finished executions, split into phase="queue_wait" (enqueued to picked up) and phase="run" (picked up to finished)',
      collect: async () => this.durations((await this.read())?.durations ?? new Map<string, number>()),
    });
  }

  private durations(fields: Map<string, number>): ExternalSample[] {
    const values: ExternalSample[] = [];
    const series = new Set([...fields.keys()].map((field) => split(field).slice(0, 2).join('|')));
    for (const name of [...series].sort()) {
      const [phase, environment] = split(name);
      const labels = { phase, environment };
      const at = (part: string) => fields.get(`${name}|${part}`) ?? 0;
      for (const le of DURATION_BUCKETS) {
        values.push({
          metricName: 'sps_execution_duration_seconds_bucket',
          labels: { ...labels, le },
          value: at(String(le)),
        });
      }
      values.push({
        metricName: 'sps_execution_duration_seconds_bucket',
        labels: { ...labels, le: '+Inf' },
        value: at('+Inf'),
      });
      values.push({ metricName: 'sps_execution_duration_seconds_sum', labels, value: at('sum') });
      values.push({ metricName: 'sps_execution_duration_seconds_count', labels, value: at('count') });
    }
    return values;
  }

  /** A scrape while Redis is away shows no job figures rather than failing. */
  private read(): Promise<CounterSnapshot | null> {
    this.snapshot ??= this.counters
      .read()
      .catch(() => null)
      .finally(() => setImmediate(() => (this.snapshot = null)));
    return this.snapshot;
  }
}
