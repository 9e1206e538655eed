import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { EnvironmentsModule } from '@sps/environments';
import { LoggingModule } from '@sps/logging';
import { QueueModule } from '@sps/queue';
import { SandboxModule } from '@sps/sandbox';
import { EnvironmentBuildProcessor } from './environment-build/environment-build.processor';
import { EnvironmentBuildService } from './environment-build/environment-build.service';
import { BuildNetworkResolver } from './environment-build/build-network.resolver';
import { EnvironmentImageBuilder } from './environment-build/environment-image-builder.service';
import { EnvironmentImageResolver } from './environment-build/environment-image-resolver.service';
import { EnvironmentImageSweeper } from './environment-build/environment-image-sweeper.service';
import { EnvironmentImages } from './environment-build/environment-images.service';
import { HostBuildLock } from './environment-build/host-build-lock.service';
import { ImageRegistry } from './environment-build/image-registry.service';
import { ExecutionAttempt } from './execution/execution-attempt.service';
import { ExecutionRunnerService } from './execution/execution-runner.service';
import { ExecutionProcessor } from './execution/execution.processor';
import { FailureClassifier } from './execution/failure-classifier.service';
import { JobDataVerifier } from './execution/job-data.verifier';
import { SandboxSpecs } from './execution/sandbox-specs.service';
import { WarmPool } from './execution/warm-pool.service';
import { HeartbeatService } from './heartbeat/heartbeat.service';
import { OrphanReaper } from './reaper/orphan-reaper.service';
import { RetentionSweeper } from './retention/retention-sweeper.service';
import { CancellationService } from './runtime/cancellation.service';
import { ContainerDisposer } from './runtime/container-disposer.service';
import { DockerGate } from './runtime/docker-gate.service';
import { SandboxUids } from './runtime/sandbox-uids.service';
import { SessionReaper } from './reaper/session-reaper.service';
import { ExecutionOutputTap } from './runtime/execution-output.tap';
import { LiveOutputForwarder } from './runtime/live-output.forwarder';
import { SessionHost } from './session/session-host.service';
import { SessionOpsProcessor } from './session/session-ops.processor';
import { WorkerShutdownService } from './shutdown/worker-shutdown.service';

@Module({
  imports: [
    AppConfigModule.forWorker(),
    LoggingModule.forRoot('worker'),
    QueueModule,
    SandboxModule,
    EnvironmentsModule,
  ],
  providers: [
    // runtime/: what both kinds of job run on
    CancellationService,
    SandboxUids,
    ContainerDisposer,
    DockerGate,
    ExecutionOutputTap,
    LiveOutputForwarder,
    // environment-build/: environment images, built here or pulled from the registry, and resolved for jobs
    HostBuildLock,
    ImageRegistry,
    EnvironmentImageBuilder,
    BuildNetworkResolver,
    EnvironmentImages,
    EnvironmentImageResolver,
    EnvironmentBuildService,
    EnvironmentBuildProcessor,
    EnvironmentImageSweeper,
    // execution/: jobs, from the queue to a container and back
    SandboxSpecs,
    JobDataVerifier,
    WarmPool,
    ExecutionRunnerService,
    FailureClassifier,
    ExecutionAttempt,
    ExecutionProcessor,
    // session/: sessions held by this worker, and its own queue of requests for them
    SessionHost,
    SessionOpsProcessor,
    HeartbeatService,
    SessionReaper,
    OrphanReaper,
    RetentionSweeper,
    WorkerShutdownService,
  ],
})
export class WorkerModule {}
