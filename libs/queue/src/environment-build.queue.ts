import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { EnvironmentBuildJobData } from './environment-build.types';
import { ENVIRONMENT_BUILD_QUEUE } from './queue.constants';
import type { TypedQueue } from './queue.contracts';

const WEEK_SECONDS = 7 * 24 * 3600;

/** The only producer of build jobs. The catalogue record, not the job, is the source of truth about a build. */
@Injectable()
export class EnvironmentBuildQueue {
  constructor(@InjectQueue(ENVIRONMENT_BUILD_QUEUE) readonly queue: TypedQueue<typeof ENVIRONMENT_BUILD_QUEUE>) {}

  async enqueue(data: EnvironmentBuildJobData): Promise<void> {
    await this.queue.add('build', data, {
      jobId: data.buildId,
      // A failed build is recorded as failed and resubmitted by the client; a worker that dies
      // mid-build leaves a stalled job, which BullMQ hands to another worker by itself.
      attempts: 1,
      removeOnComplete: { age: WEEK_SECONDS, count: 1000 },
      removeOnFail: { age: WEEK_SECONDS, count: 1000 },
    });
  }
}
