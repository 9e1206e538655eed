import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { EnvironmentsModule } from '@sps/environments';
import { LoggingModule } from '@sps/logging';
import { QueueModule } from '@sps/queue';
import { AuthModule } from './auth/auth.module';
import { BuildLogEvents } from './environments/build-log-events.service';
import { BuiltinEnvironmentsSeeder } from './environments/builtin-environments.seeder';
import { EnvironmentsController } from './environments/environments.controller';
import { EnvironmentsService } from './environments/environments.service';
import { ExecutionEventStreams } from './executions/execution-event-streams.service';
import { ExecutionRequestPolicy } from './executions/execution-request.policy';
import { ExecutionWaiter } from './executions/execution-waiter.service';
import { ExecutionsController } from './executions/executions.controller';
import { ExecutionsService } from './executions/executions.service';
import { IdempotencyStore } from './executions/idempotency.store';
import { IdempotentSubmissions } from './executions/idempotent-submissions.service';
import { LegacyExecuteController } from './executions/legacy-execute.controller';
import { LimitsController } from './executions/limits.controller';
import { HealthModule } from './health/health.module';
import { EventStreamSlots } from './http/event-stream.slots';
import { McpController } from './mcp/mcp.controller';
import { McpTools } from './mcp/mcp-tools.service';
import { MetricsModule } from './metrics/metrics.module';
import { SessionExecutionsService } from './sessions/session-executions.service';
import { SessionFilesController } from './sessions/session-files.controller';
import { SessionFilesService } from './sessions/session-files.service';
import { SessionRequestPolicy } from './sessions/session-request.policy';
import { SessionWaiter } from './sessions/session-waiter.service';
import { SessionsController } from './sessions/sessions.controller';
import { SessionsService } from './sessions/sessions.service';
import { WebhookDeliveryProcessor } from './webhooks/webhook-delivery.processor';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';
import { WebhookSender } from './webhooks/webhook-sender.service';
import { WebhookTargets } from './webhooks/webhook-targets.service';

@Module({
  imports: [
    AppConfigModule.forApi(),
    LoggingModule.forRoot('api'),
    QueueModule,
    AuthModule,
    HealthModule,
    MetricsModule,
    EnvironmentsModule,
  ],
  controllers: [
    ExecutionsController,
    LegacyExecuteController,
    LimitsController,
    EnvironmentsController,
    McpController,
    SessionsController,
    SessionFilesController,
  ],
  // The global error filters (QueueErrorsFilter, then the catch-all) are registered in createHttpApp, in that order.
  providers: [
    ExecutionRequestPolicy,
    ExecutionWaiter,
    ExecutionsService,
    IdempotencyStore,
    IdempotentSubmissions,
    WebhookTargets,
    WebhookSender,
    WebhookDeliveryService,
    WebhookDeliveryProcessor,
    EventStreamSlots,
    ExecutionEventStreams,
    EnvironmentsService,
    BuildLogEvents,
    BuiltinEnvironmentsSeeder,
    McpTools,
    SessionRequestPolicy,
    SessionWaiter,
    SessionsService,
    SessionExecutionsService,
    SessionFilesService,
  ],
})
export class ApiModule {}
