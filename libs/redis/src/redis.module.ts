import { Global, Module } from '@nestjs/common';
import { RedisChannels } from './redis-channels.service';
import { RedisConnection } from './redis-connection.service';

/** The process's one Redis client, and its one pub/sub connection, for every module that keeps state of its own in Redis. */
@Global()
@Module({
  providers: [RedisConnection, RedisChannels],
  exports: [RedisConnection, RedisChannels],
})
export class RedisModule {}
