import { Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { readRedisConfig } from '@sps/config';
import { LogContext } from '@sps/logging';
import { consumerConnection, ENVIRONMENT_BUILD_QUEUE, EnvironmentBuildJob, EnvironmentBuildOutcome } from '@sps/queue';
import { WaitingError } from 'bullmq';
import { DockerGate } from '../execution/docker-gate.service';
import { EnvironmentBuildService } from './environment-build.service';
import { BuildInterruptedError } from './environment-image-builder.service';

// One build at a time per worker process; builds across processes on a host are serialized by HostBuildLock.
// Builds take minutes: the lock is renewed while the job runs, and a dead worker's build goes to another.
// The Worker's connection is fixed when the decorator runs (see execution-worker.options.ts), so it is read
// here through the validated reader: a consumer connection, which waits out a Redis outage.
@Processor(ENVIRONMENT_BUILD_QUEUE, { concurrency: 1, lockDuration: 60_000, connection: consumerConnection(readRedisConfig()) })
export class EnvironmentBuildProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly running = new Set<AbortController>();
  private stopping = false;

  constructor(
    private readonly builds: EnvironmentBuildService,
    private readonly logContext: LogContext,
    private readonly docker: DockerGate,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    // Without Docker a build can only fail: take none until it is back, as with jobs.
    this.docker.onChange((up) => {
      if (this.stopping) return;
      if (up) this.worker.resume();
      else void this.worker.pause(true);
    });
  }

  /** Every log line written during a build carries its job id and environment. */
  async process(job: EnvironmentBuildJob, token?: string): Promise<EnvironmentBuildOutcome> {
    const stop = new AbortController();
    this.running.add(stop);
    try {
      return await this.logContext.run({ jobId: job.id, environment: job.data.name }, () => this.builds.run(job.data, stop.signal));
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
  async stopTaking(): Promise<void> {
    this.stopping = true;
    for (const stop of this.running) stop.abort();
    await this.worker.close();
  }
}
