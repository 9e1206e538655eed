import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { LoggingModule } from '@sps/logging';
import { QueueModule } from '@sps/queue';
import { EnvironmentsModule } from '@sps/environments';
import { SandboxModule } from '@sps/sandbox';
import { EnvironmentBuildProcessor } from './environment-build/environment-build.processor';
import { EnvironmentBuildService } from './environment-build/environment-build.service';
import { BuildNetworkResolver } from './environment-build/build-network.resolver';
import { EnvironmentImageBuilder } from './environment-build/environment-image-builder.service';
import { EnvironmentImageSweeper } from './environment-build/environment-image-sweeper.service';
import { EnvironmentImages } from './environment-build/environment-images.service';
import { HostBuildLock } from './environment-build/host-build-lock.service';
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
  imports: [AppConfigModule.forWorker(), LoggingModule.forRoot('worker'), QueueModule, SandboxModule, EnvironmentsModule],
  providers: [
    EnvironmentCatalog,
    CancellationService,
    ContainerDisposer,
    DockerGate,
    WarmPool,
    ExecutionRunnerService,
    ExecutionProcessor,
    HeartbeatService,
    HostBuildLock,
    EnvironmentImageBuilder,
    BuildNetworkResolver,
    EnvironmentImages,
    EnvironmentBuildService,
    EnvironmentBuildProcessor,
    EnvironmentImageSweeper,
    OrphanReaper,
    WorkerShutdownService,
  ],
})
export class WorkerModule {}
