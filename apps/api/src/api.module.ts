import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { EnvironmentsModule } from '@sps/environments';
import { QueueModule } from '@sps/queue';
import { BuildLogEvents } from './environments/build-log-events.service';
import { BuiltinEnvironmentsSeeder } from './environments/builtin-environments.seeder';
import { EnvironmentsController } from './environments/environments.controller';
import { EnvironmentsService } from './environments/environments.service';
import { ExecutionRequestPolicy } from './executions/execution-request.policy';
import { ExecutionWaiter } from './executions/execution-waiter.service';
import { ExecutionsController } from './executions/executions.controller';
import { ExecutionsService } from './executions/executions.service';
import { LegacyExecuteController } from './executions/legacy-execute.controller';
import { HealthController } from './health/health.controller';

@Module({
  imports: [AppConfigModule.forApi(), QueueModule, EnvironmentsModule],
  controllers: [ExecutionsController, LegacyExecuteController, HealthController, EnvironmentsController],
  providers: [ExecutionRequestPolicy, ExecutionWaiter, ExecutionsService, EnvironmentsService, BuildLogEvents, BuiltinEnvironmentsSeeder],
})
export class ApiModule {}
