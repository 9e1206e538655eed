import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { RedisModule } from '@sps/redis';
import { producerConnection } from './bull-connection';
import { EnvironmentBuildQueue } from './environment-build.queue';
import { ExecutionCancels } from './execution-cancels.service';
import { ExecutionHistory } from './execution-history.store';
import { ExecutionEvents } from './execution-events.store';
import { ExecutionStore } from './execution-store.service';
import { ExecutionQueue } from './execution.queue';
import { FairShare } from './fair-share.service';
import { JobCounters } from './job-counters.service';
import { ENVIRONMENT_BUILD_QUEUE, EXECUTION_QUEUE, WEBHOOK_QUEUE } from './queue.constants';
import { QueueStats } from './queue-stats.service';
import { SessionExecutions } from './session-executions.store';
import { SessionRecords } from './session-records.store';
import { SessionReplies } from './session-replies.store';
import { SessionQueue } from './session.queue';
import { WebhookDeliveries } from './webhook-deliveries.store';
import { WebhookQueue } from './webhook.queue';
import { WorkerRegistry } from './worker-registry.service';

/** What every app gets from this module: the producers and the Redis-side services of the queues. */
const SERVICES = [
  WorkerRegistry,
  FairShare,
  WebhookDeliveries,
  ExecutionStore,
  ExecutionHistory,
  ExecutionQueue,
  WebhookQueue,
  ExecutionCancels,
  ExecutionEvents,
  JobCounters,
  EnvironmentBuildQueue,
  QueueStats,
  SessionRecords,
  SessionExecutions,
  SessionReplies,
  SessionQueue,
];

@Global()
@Module({
  imports: [
    RedisModule,
    BullModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => {
        // Queues are the producer side; Workers bring their own consumer connection.
        const redis = config.get('redis', { infer: true });
        return { connection: producerConnection(redis), prefix: redis.prefix };
      },
    }),
    BullModule.registerQueue({ name: EXECUTION_QUEUE }, { name: ENVIRONMENT_BUILD_QUEUE }, { name: WEBHOOK_QUEUE }),
  ],
  providers: [...SERVICES],
  exports: [BullModule, ...SERVICES],
})
export class QueueModule {}
