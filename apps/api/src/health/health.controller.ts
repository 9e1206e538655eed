import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { EnvironmentHealthIndicator } from './environment-health.indicator';
import { QueueHealthIndicator } from './queue-health.indicator';
import { RedisHealthIndicator } from './redis-health.indicator';
import { WorkerHealthIndicator } from './worker-health.indicator';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealthIndicator,
    private readonly queues: QueueHealthIndicator,
    private readonly workers: WorkerHealthIndicator,
    private readonly environments: EnvironmentHealthIndicator,
  ) {}

  @Get('live')
  @ApiOkResponse({ description: 'The API process is up.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * 200 when Redis answers and a live worker has Docker and the default image;
   * 503 otherwise. `details` has Redis latency, queue counts, every live worker,
   * and the ready environments no live worker has the image of, either way.
   */
  @Get('ready')
  @HealthCheck({ noCache: true })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.redis.check(),
      () => this.queues.check(),
      () => this.workers.check(),
      () => this.environments.check(),
    ]);
  }
}
