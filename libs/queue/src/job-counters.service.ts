import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@sps/redis';
import type { ExecutionStatus } from './execution.types';
import type { QueueName } from './queue.contracts';

/** Upper bounds (seconds) of the execution duration histogram's buckets. */
export const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** The two phases of an execution's time: enqueued to picked up, and picked up to finished. */
export type DurationPhase = 'queue_wait' | 'run';

/** What the counters held when read: every field of each hash, as numbers. */
export interface CounterSnapshot {
  /** `<queue>|<outcome>` -> jobs. */
  jobsFinished: Map<string, number>;
  /** `<status>|<environment>` -> executions. */
  executions: Map<string, number>;
  /** `<phase>|<environment>|<le or "sum" or "count">` -> value. */
  durations: Map<string, number>;
}

const toNumbers = (hash: Record<string, string>): Map<string, number> =>
  new Map(Object.entries(hash).map(([field, value]) => [field, Number(value)]));

/**
 * Totals of finished jobs, kept in Redis by the workers as jobs end, for the
 * API's /metrics to read at scrape time: no process reads a result to count
 * it. The environment in a label is one the caller names only when the
 * environment exists (the worker passes "other" otherwise), so labels stay few.
 */
@Injectable()
export class JobCounters {
  constructor(private readonly redis: RedisConnection) {}

  private key(name: 'jobs-finished' | 'executions' | 'durations'): string {
    return this.redis.key('metrics', name);
  }

  async jobFinished(queue: QueueName, outcome: 'completed' | 'failed'): Promise<void> {
    await this.redis.client.hincrby(this.key('jobs-finished'), `${queue}|${outcome}`, 1);
  }

  /** One finished execution: its status, and how long it waited and ran (seconds, when known). */
  async executionFinished(
    status: ExecutionStatus,
    environment: string,
    durations: Partial<Record<DurationPhase, number>>,
  ): Promise<void> {
    const pipeline = this.redis.client.pipeline();
    pipeline.hincrby(this.key('executions'), `${status}|${environment}`, 1);
    for (const [phase, seconds] of Object.entries(durations)) {
      if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) continue;
      const series = `${phase}|${environment}`;
      for (const le of DURATION_BUCKETS)
        if (seconds <= le) pipeline.hincrby(this.key('durations'), `${series}|${le}`, 1);
      pipeline.hincrby(this.key('durations'), `${series}|+Inf`, 1);
      pipeline.hincrby(this.key('durations'), `${series}|count`, 1);
      pipeline.hincrbyfloat(this.key('durations'), `${series}|sum`, seconds);
    }
    const replies = await pipeline.exec();
    for (const [error] of replies ?? []) if (error) throw error;
  }

  async read(): Promise<CounterSnapshot> {
    const [jobsFinished, executions, durations] = await Promise.all([
      this.redis.client.hgetall(this.key('jobs-finished')),
      this.redis.client.hgetall(this.key('executions')),
      this.redis.client.hgetall(this.key('durations')),
    ]);
    return {
      jobsFinished: toNumbers(jobsFinished),
      executions: toNumbers(executions),
      durations: toNumbers(durations),
    };
  }
}
