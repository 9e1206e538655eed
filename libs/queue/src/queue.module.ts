import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { EnvironmentBuildQueue } from './environment-build.queue';
import { ExecutionQueue } from './execution.queue';
import { ENVIRONMENT_BUILD_QUEUE, EXECUTION_QUEUE } from './queue.constants';
import { RedisConnection } from './redis-connection.service';
import { WorkerRegistry } from './worker-registry.service';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => {
        const { url, prefix } = config.get('redis', { infer: true });
        return { connection: { url }, prefix };
      },
    }),
    BullModule.registerQueue({ name: EXECUTION_QUEUE }, { name: ENVIRONMENT_BUILD_QUEUE }),
  ],
  providers: [RedisConnection, WorkerRegistry, ExecutionQueue, EnvironmentBuildQueue],
  exports: [BullModule, RedisConnection, WorkerRegistry, ExecutionQueue, EnvironmentBuildQueue],
})
export class QueueModule {}
