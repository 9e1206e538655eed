import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { LogContext } from '@sps/logging';
import {
  consumerOptions,
  ENVIRONMENT_BUILD_QUEUE,
  EnvironmentBuildJob,
  EnvironmentBuildOutcome,
  JobCounters,
  QueueWorkerHost,
} from '@sps/queue';
import { WaitingError } from 'bullmq';
import { DockerGate } from '../runtime/docker-gate.service';
import { EnvironmentBuildService } from './environment-build.service';
import { BuildInterruptedError } from './environment-image-builder.service';

// One build at a time per worker process; builds across processes on a host are serialized by HostBuildLock.
// Builds take minutes: the lock is renewed while the job runs, and a dead worker's build goes to another.
const BUILD_LOCK_MS = 60_000;

@Injectable()
export class EnvironmentBuildProcessor
  extends QueueWorkerHost<typeof ENVIRONMENT_BUILD_QUEUE>
  implements OnApplicationBootstrap
{
  private readonly running = new Set<AbortController>();

  constructor(
    private readonly builds: EnvironmentBuildService,
    private readonly logContext: LogContext,
    private readonly docker: DockerGate,
    counters: JobCounters,
    config: ConfigService<AppConfig, true>,
  ) {
    super(
      ENVIRONMENT_BUILD_QUEUE,
      {
        ...consumerOptions(config.get('redis', { infer: true })),
        concurrency: 1,
        lockDuration: BUILD_LOCK_MS,
      },
      counters,
    );
  }

  onApplicationBootstrap(): void {
    // Without Docker a build can only fail: take none until it is back, as with jobs.
    this.docker.onChange((up) => this.takeJobs(up));
  }

  /** Every log line written during a build carries its job id and environment. */
  async process(job: EnvironmentBuildJob, token?: string): Promise<EnvironmentBuildOutcome> {
    const stop = new AbortController();
    this.running.add(stop);
    try {
      return await this.logContext.run({ jobId: job.id, environment: job.data.name }, () =>
        this.builds.run(job.data, stop.signal),
      );
    } catch (error) {
      if (!(error instanceof BuildInterruptedError)) throw error;
      // Back to the waiting list for another worker; WaitingError tells BullMQ the move was on purpose.
      await job.moveToWait(token);
      throw new WaitingError();
    } finally {
      this.running.delete(stop);
    }
  }

  /**
   * Takes no more builds and interrupts the running one, which goes back to
   * the queue: a build takes minutes, more than a shutdown should wait.
   */
  override async stopTaking(): Promise<void> {
    for (const stop of this.running) stop.abort();
    await super.stopTaking();
  }
}
