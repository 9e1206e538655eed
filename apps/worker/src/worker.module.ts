import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { LoggingModule } from '@sps/logging';
import { QueueModule } from '@sps/queue';
import { SandboxModule } from '@sps/sandbox';
import { EnvironmentCatalog } from './environments/environment-catalog.service';
import { CancellationService } from './execution/cancellation.service';
import { ContainerDisposer } from './execution/container-disposer.service';
import { DockerGate } from './execution/docker-gate.service';
import { ExecutionRunnerService } from './execution/execution-runner.service';
import { ExecutionProcessor } from './execution/execution.processor';
import { HeartbeatService } from './heartbeat/heartbeat.service';
import { WarmPool } from './pool/warm-pool.service';
import { OrphanReaper } from './reaper/orphan-reaper.service';
import { WorkerShutdownService } from './shutdown/worker-shutdown.service';

@Module({
  imports: [AppConfigModule.forWorker(), LoggingModule.forRoot('worker'), QueueModule, SandboxModule],
  providers: [
    EnvironmentCatalog,
    CancellationService,
    ContainerDisposer,
    DockerGate,
    WarmPool,
    ExecutionRunnerService,
    ExecutionProcessor,
    HeartbeatService,
    OrphanReaper,
    WorkerShutdownService,
  ],
})
export class WorkerModule {}
