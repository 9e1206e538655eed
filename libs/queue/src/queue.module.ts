import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { ExecutionQueue } from './execution.queue';
import { FairShare } from './fair-share.service';
import { EXECUTION_QUEUE } from './queue.constants';
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
    BullModule.registerQueue({ name: EXECUTION_QUEUE }),
  ],
  providers: [RedisConnection, WorkerRegistry, FairShare, ExecutionQueue],
  exports: [BullModule, RedisConnection, WorkerRegistry, FairShare, ExecutionQueue],
})
export class QueueModule {}
