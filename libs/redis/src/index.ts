export * from './redis-errors';
export * from './redis-script';
export * from './redis-connection.service';
export * from './redis-channels.service';
export * from './redis.module';
export * from './wake-up';
