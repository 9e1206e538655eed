import { Injectable } from '@nestjs/common';
import { RedisConnection, redisScript } from '@sps/redis';
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

/**
 * One finished execution counted in one command: its status field, then the
 * duration fields it adds 1 to (ARGV[2] says how many), then (sum field,
 * seconds) pairs. One command, not one per bucket, on every job's way out.
 */
const COUNT_EXECUTION = redisScript(
  'countExecution',
  2,
  `
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
local counted = tonumber(ARGV[2])
for i = 3, 2 + counted do redis.call('HINCRBY', KEYS[2], ARGV[i], 1) end
for i = 3 + counted, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
`,
);

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
    const counted: string[] = [];
    const sums: (string | number)[] = [];
    for (const [phase, seconds] of Object.entries(durations)) {
      if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) continue;
      const series = `${phase}|${environment}`;
      for (const le of DURATION_BUCKETS) if (seconds <= le) counted.push(`${series}|${le}`);
      counted.push(`${series}|+Inf`, `${series}|count`);
      sums.push(`${series}|sum`, seconds);
    }
    await this.redis.run(
      COUNT_EXECUTION,
      [this.key('executions'), this.key('durations')],
      [`${status}|${environment}`, counted.length, ...counted, ...sums],
    );
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
