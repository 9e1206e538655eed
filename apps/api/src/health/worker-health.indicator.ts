import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { AppConfig } from '@sps/config';
import { DEFAULT_ENVIRONMENT } from '@sps/environments';
import { WorkerHeartbeat, WorkerRegistry } from '@sps/queue';
import { HEALTH_CHECK_TIMEOUT_MS, withTimeout } from './health-timeout';

/**
 * Every live worker, from the heartbeats workers publish to Redis: the API never
 * talks to a worker or to Docker itself. Down when no live worker can run jobs.
 */
@Injectable()
export class WorkerHealthIndicator {
  private readonly heartbeatTtlMs: number;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly registry: WorkerRegistry,
    config: ConfigService<AppConfig, true>,
  ) {
    this.heartbeatTtlMs = config.get('worker.heartbeatTtlMs', { infer: true });
  }

  async check(key = 'workers') {
    const indicator = this.health.check(key);
    let live: WorkerHeartbeat[];
    try {
      live = await withTimeout(this.registry.live(this.heartbeatTtlMs), HEALTH_CHECK_TIMEOUT_MS);
    } catch {
      return indicator.down({ message: 'worker heartbeats cannot be read: redis is unreachable', live: [] });
    }
    const usable = live.filter((w) => w.docker.up && w.environments.includes(DEFAULT_ENVIRONMENT)).length;
    if (usable) return indicator.up({ usable, live });
    const message = live.length
      ? 'no live worker has Docker up and the default image'
      : `no worker has sent a heartbeat in the last ${this.heartbeatTtlMs / 1000} s`;
    return indicator.down({ message, usable, live });
  }
}
