import { Processor, WorkerHost } from '@nestjs/bullmq';
import { ENVIRONMENT_BUILD_QUEUE, EnvironmentBuildJob, EnvironmentBuildOutcome } from '@sps/queue';
import { EnvironmentBuildService } from './environment-build.service';

// One build at a time per worker process; builds across processes on a host are serialized by HostBuildLock.
// Builds take minutes: the lock is renewed while the job runs, and a dead worker's build goes to another.
@Processor(ENVIRONMENT_BUILD_QUEUE, { concurrency: 1, lockDuration: 60_000 })
export class EnvironmentBuildProcessor extends WorkerHost {
  constructor(private readonly builds: EnvironmentBuildService) {
    super();
  }

  async process(job: EnvironmentBuildJob): Promise<EnvironmentBuildOutcome> {
    return this.builds.run(job.data);
  }
}
