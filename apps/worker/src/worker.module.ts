import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { QueueModule } from '@sps/queue';
import { SandboxModule } from '@sps/sandbox';
import { EnvironmentCatalog } from './environments/environment-catalog.service';
import { CancellationService } from './execution/cancellation.service';
import { ExecutionRunnerService } from './execution/execution-runner.service';
import { ExecutionProcessor } from './execution/execution.processor';
import { HeartbeatService } from './heartbeat/heartbeat.service';

@Module({
  imports: [AppConfigModule.forWorker(), QueueModule, SandboxModule],
  providers: [EnvironmentCatalog, CancellationService, ExecutionRunnerService, ExecutionProcessor, HeartbeatService],
})
export class WorkerModule {}
