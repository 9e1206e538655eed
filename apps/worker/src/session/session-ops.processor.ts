import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  consumerOptions,
  JobCounters,
  QueueWorkerHost,
  SESSION_QUEUE,
  sessionQueueName,
  SessionOpJob,
} from '@sps/queue';
import { SessionHost } from './session-host.service';

/**
 * This worker's own session queue: every request for a session it holds.
 * One at a time, each handed to its session without waiting for it to be
 * carried out, so a session's requests reach it in the order they were sent.
 */
@Injectable()
export class SessionOpsProcessor extends QueueWorkerHost<typeof SESSION_QUEUE> {
  constructor(
    private readonly host: SessionHost,
    counters: JobCounters,
    config: ConfigService<AppConfig, true>,
  ) {
    super(
      SESSION_QUEUE,
      { ...consumerOptions(config.get('redis', { infer: true })), concurrency: 1 },
      counters,
      sessionQueueName(config.get('worker.id', { infer: true })),
    );
  }

  process(job: SessionOpJob): Promise<null> {
    this.host.handle(job.data);
    return Promise.resolve(null);
  }
}
