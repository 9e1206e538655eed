import type { RedisConfig } from '@sps/config';
import type { ConnectionOptions, WorkerOptions } from 'bullmq';
import Redis from 'ioredis';

/** Reconnect soon after Redis returns: BullMQ's own default backs off to 20 s between tries. */
const reconnectDelay = (attempt: number): number => Math.min(200 * attempt, 2000);

/**
 * For Queue objects, the path an HTTP request takes. Commands are refused at once
 * while Redis is away instead of being queued, so the API answers 503 quickly and a
 * job it refused can never be added later behind the caller's back.
 */
export const producerConnection = (redis: RedisConfig): ConnectionOptions => ({ url: redis.url, ...failFast(redis) });

const failFast = (redis: RedisConfig) => ({
  password: redis.password ?? undefined,
  enableOfflineQueue: false,
  commandTimeout: redis.commandTimeoutMs,
  retryStrategy: reconnectDelay,
});

/** The same fail-fast connection as one client, for Queue objects made at run time to share rather than each opening one. */
export const producerClient = (redis: RedisConfig): Redis => {
  const client = new Redis(redis.url, { ...failFast(redis), lazyConnect: true });
  client.on('error', () => undefined); // reconnects by itself; a command while away fails at once
  return client;
};

/**
 * For Workers, which block on Redis and must ride out an outage:
 * commands wait for the connection to come back.
 */
export const consumerConnection = (redis: RedisConfig): ConnectionOptions => ({
  url: redis.url,
  password: redis.password ?? undefined,
  retryStrategy: reconnectDelay,
});

/** Where a Worker finds its queue: this deployment's prefix, over a consumer connection. */
export const consumerOptions = (redis: RedisConfig): Pick<WorkerOptions, 'connection' | 'prefix'> => ({
  connection: consumerConnection(redis),
  prefix: redis.prefix,
});
