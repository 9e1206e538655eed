import { Global, Module } from '@nestjs/common';
import { RedisConnection } from './redis-connection.service';

/** The process's one Redis client, for every module that keeps state of its own in Redis. */
@Global()
@Module({
  providers: [RedisConnection],
  exports: [RedisConnection],
})
export class RedisModule {}
