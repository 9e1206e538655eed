import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppConfigModule } from '@sps/config';
import { EnvironmentsModule } from '@sps/environments';
import { LoggingModule } from '@sps/logging';
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
import { QueueErrorsFilter } from './executions/queue-errors.filter';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';

@Module({
  imports: [AppConfigModule.forApi(), LoggingModule.forRoot('api'), QueueModule, HealthModule, MetricsModule, EnvironmentsModule],
  controllers: [ExecutionsController, LegacyExecuteController, EnvironmentsController],
  providers: [
    ExecutionRequestPolicy,
    ExecutionWaiter,
    ExecutionsService,
    EnvironmentsService,
    BuildLogEvents,
    BuiltinEnvironmentsSeeder,
    { provide: APP_FILTER, useClass: QueueErrorsFilter },
  ],
})
export class ApiModule {}
