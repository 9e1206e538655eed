import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { QueueModule } from '@sps/queue';
import { SandboxModule } from '@sps/sandbox';
import { EnvironmentCatalog } from './environments/environment-catalog.service';
import { CancellationService } from './execution/cancellation.service';
import { ContainerDisposer } from './execution/container-disposer.service';
import { ExecutionRunnerService } from './execution/execution-runner.service';
import { ExecutionProcessor } from './execution/execution.processor';
import { HeartbeatService } from './heartbeat/heartbeat.service';
import { WarmPool } from './pool/warm-pool.service';

@Module({
  imports: [AppConfigModule.forWorker(), QueueModule, SandboxModule],
  providers: [
    EnvironmentCatalog,
    CancellationService,
    ContainerDisposer,
    WarmPool,
    ExecutionRunnerService,
    ExecutionProcessor,
    HeartbeatService,
  ],
})
export class WorkerModule {}
