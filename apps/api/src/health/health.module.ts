import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EnvironmentsModule } from '@sps/environments';
import { EnvironmentHealthIndicator } from './environment-health.indicator';
import { HealthController } from './health.controller';
import { ReadinessLogger } from './readiness.logger';
import { QueueHealthIndicator } from './queue-health.indicator';
import { RedisHealthIndicator } from './redis-health.indicator';
import { WorkerHealthIndicator } from './worker-health.indicator';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: ReadinessLogger }), EnvironmentsModule],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, QueueHealthIndicator, WorkerHealthIndicator, EnvironmentHealthIndicator],
})
export class HealthModule {}
