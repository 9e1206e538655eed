import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { withRedis } from '@sps/redis';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { producerClient } from './bull-connection';
import { SESSION_QUEUE } from './queue.constants';
import type { TypedQueue } from './queue.contracts';
import { SessionOp, sessionQueueName } from './session.types';

// Requests are answered through Redis (SessionExecutions, SessionReplies), so a handed-over job has no reason to
// stay: it carries code and file contents. A failed one stays a while for whoever looks into it.
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: { age: 3600, count: 1000 } };

/**
 * The only producer of session requests: each goes to the queue of the
 * worker holding the session, named in its record. One connection serves
 * every worker's queue; a queue object is kept per worker until it is forgotten.
 */
@Injectable()
export class SessionQueue implements OnModuleDestroy {
  private readonly connection: Redis;
  private readonly prefix: string;
  private readonly queues = new Map<string, TypedQueue<typeof SESSION_QUEUE>>();

  constructor(config: ConfigService<AppConfig, true>) {
    const redis = config.get('redis', { infer: true });
    this.connection = producerClient(redis);
    this.prefix = redis.prefix;
  }

  private queueOf(workerId: string): TypedQueue<typeof SESSION_QUEUE> {
    let queue = this.queues.get(workerId);
    if (!queue) {
      queue = new Queue(sessionQueueName(workerId), { connection: this.connection, prefix: this.prefix });
      this.queues.set(workerId, queue);
    }
    return queue;
  }

  async send(workerId: string, op: SessionOp): Promise<void> {
    await withRedis(() => this.queueOf(workerId).add(op.kind, op, JOB_OPTIONS));
  }

  /** Removes a gone worker's queue with whatever was left in it. */
  async forget(workerId: string): Promise<void> {
    const queue = this.queueOf(workerId);
    this.queues.delete(workerId);
    await queue.obliterate({ force: true }).finally(() => queue.close());
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
