import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { QueueModule } from '@sps/queue';
import { AuthModule } from './auth/auth.module';
import { ExecutionRequestPolicy } from './executions/execution-request.policy';
import { ExecutionWaiter } from './executions/execution-waiter.service';
import { ExecutionsController } from './executions/executions.controller';
import { ExecutionsService } from './executions/executions.service';
import { LegacyExecuteController } from './executions/legacy-execute.controller';
import { HealthController } from './health/health.controller';

@Module({
  imports: [AppConfigModule.forApi(), QueueModule, AuthModule],
  controllers: [ExecutionsController, LegacyExecuteController, HealthController],
  providers: [ExecutionRequestPolicy, ExecutionWaiter, ExecutionsService],
})
export class ApiModule {}
