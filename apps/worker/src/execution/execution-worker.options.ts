import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { consumerOptions } from '@sps/queue';
import type { WorkerOptions } from 'bullmq';

/** The execution Worker's settings, fixed by BullMQ when it builds the Worker. */
export const executionWorkerOptions = (config: ConfigService<AppConfig, true>): WorkerOptions => {
  const queue = config.get('queue', { infer: true });
  return {
    // Its own connection, not the Queue's fail-fast one: a worker waits out a Redis outage.
    ...consumerOptions(config.get('redis', { infer: true })),
    concurrency: config.get('worker.concurrency', { infer: true }),
    lockDuration: queue.lockDurationMs,
    stalledInterval: queue.stalledIntervalMs,
    // A job whose worker died is run again this many times, then fails as "worker lost".
    maxStalledCount: queue.maxStalledCount,
  };
};
