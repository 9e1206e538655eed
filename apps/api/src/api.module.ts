import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { LoggingModule } from '@sps/logging';
import { QueueModule } from '@sps/queue';
import { AuthModule } from './auth/auth.module';
import { ExecutionRequestPolicy } from './executions/execution-request.policy';
import { ExecutionWaiter } from './executions/execution-waiter.service';
import { ExecutionsController } from './executions/executions.controller';
import { ExecutionsService } from './executions/executions.service';
import { LegacyExecuteController } from './executions/legacy-execute.controller';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';

@Module({
  imports: [AppConfigModule.forApi(), LoggingModule.forRoot('api'), QueueModule, AuthModule, HealthModule, MetricsModule],
  controllers: [ExecutionsController, LegacyExecuteController],
  providers: [ExecutionRequestPolicy, ExecutionWaiter, ExecutionsService],
})
export class ApiModule {}
