import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { QueueStats } from '@sps/queue';
import { HEALTH_CHECK_TIMEOUT_MS } from './health-timeout';

/** Job counts of every monitored queue (executions, and builds once that queue exists). */
@Injectable()
export class QueueHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly stats: QueueStats,
  ) {}

  check(key = 'queues') {
    return this.health
      .check(key)
      .attempt(async () => this.stats.counts())
      .withTimeout(HEALTH_CHECK_TIMEOUT_MS);
  }
}
