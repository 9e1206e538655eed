import { readQueueConfig, readRedisConfig } from '@sps/config';
import { consumerConnection } from '@sps/queue';
import type { WorkerOptions } from 'bullmq';

/**
 * BullMQ fixes a Worker's connection and lock and stall timings when it builds
 * the Worker, which @nestjs/bullmq does from the @Processor decorator before any
 * Nest hook could hand them over. So they are read here, through the same
 * validated readers ConfigService uses; a bad value names its variable.
 */
export const executionWorkerOptions = (): Partial<WorkerOptions> => {
  const queue = readQueueConfig();
  return {
    // Its own connection, not the Queue's fail-fast one: a worker waits out a Redis outage.
    connection: consumerConnection(readRedisConfig()),
    lockDuration: queue.lockDurationMs,
    stalledInterval: queue.stalledIntervalMs,
    // A job whose worker died is run again this many times, then fails as "worker lost".
    maxStalledCount: queue.maxStalledCount,
  };
};
