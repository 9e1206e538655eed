import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnection } from '@sps/redis';
import { HEALTH_CHECK_TIMEOUT_MS } from './health-timeout';

/** Redis answers PING, and how long it took. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly redis: RedisConnection,
  ) {}

  check(key = 'redis') {
    return this.health
      .check(key)
      .attempt(async () => {
        const started = performance.now();
        await this.redis.client.ping();
        return { latencyMs: Math.round((performance.now() - started) * 100) / 100 };
      })
      .withTimeout(HEALTH_CHECK_TIMEOUT_MS);
  }
}
