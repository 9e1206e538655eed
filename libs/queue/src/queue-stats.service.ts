import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { withRedis } from '@sps/redis';
import type { Queue } from 'bullmq';
import { COUNTED_JOB_STATES, JobCounts, MONITORED_QUEUES } from './queue.constants';
import type { QueueName } from './queue.contracts';

/** Job counts per queue, for every queue in MONITORED_QUEUES: what health and metrics report. */
@Injectable()
export class QueueStats {
  constructor(private readonly moduleRef: ModuleRef) {}

  get names(): readonly QueueName[] {
    return MONITORED_QUEUES;
  }

  queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  async counts(): Promise<Record<string, JobCounts>> {
    const entries = await Promise.all(
      this.names.map(async (name) => {
        const counts = await withRedis(() => this.queue(name).getJobCounts(...COUNTED_JOB_STATES));
        return [
          name,
          Object.fromEntries(COUNTED_JOB_STATES.map((state) => [state, counts[state] ?? 0])) as JobCounts,
        ] as const;
      }),
    );
    return Object.fromEntries(entries);
  }
}
