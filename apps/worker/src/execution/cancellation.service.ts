import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RedisConnection } from '@sps/queue';
import type Redis from 'ioredis';

/** Delivers cancel requests from the API to the jobs running in this worker. */
@Injectable()
export class CancellationService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CancellationService.name);
  private readonly running = new Map<string, AbortController>();
  private subscriber: Redis;

  constructor(private readonly redis: RedisConnection) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('message', (_channel, jobId: string) => {
      const controller = this.running.get(jobId);
      if (controller) {
        this.logger.log(`job ${jobId}: cancel requested, killing its container`);
        controller.abort();
      }
    });
    await this.subscriber.subscribe(this.redis.keys.cancelChannel);
  }

  /** A cancel may land between dequeue and start; the flag covers that window. */
  async isRequested(jobId: string): Promise<boolean> {
    return (await this.redis.client.exists(this.redis.keys.cancelFlag(jobId))) === 1;
  }

  track(jobId: string): AbortSignal {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    return controller.signal;
  }

  untrack(jobId: string): void {
    this.running.delete(jobId);
  }

  get busy(): number {
    return this.running.size;
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber.disconnect());
  }
}
