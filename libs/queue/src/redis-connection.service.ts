import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import Redis from 'ioredis';
import { RedisKeys } from './redis-keys';

/** One plain Redis client per process for the service's own keys; BullMQ keeps its own connections. */
@Injectable()
export class RedisConnection implements OnModuleDestroy {
  readonly client: Redis;
  readonly keys: RedisKeys;

  constructor(config: ConfigService<AppConfig, true>) {
    const { url, prefix } = config.get('redis', { infer: true });
    this.client = new Redis(url, { maxRetriesPerRequest: 2 });
    this.client.on('error', () => undefined); // reconnects by itself; callers see failures as rejected commands
    this.keys = new RedisKeys(prefix);
  }

  /** A separate connection for SUBSCRIBE, which cannot share one with commands. */
  duplicate(): Redis {
    const copy = this.client.duplicate();
    copy.on('error', () => undefined);
    return copy;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
