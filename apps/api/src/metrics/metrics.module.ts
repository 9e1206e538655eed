import { Module } from '@nestjs/common';
import { EnvironmentsModule } from '@sps/environments';
import { EnvironmentImageMetricsCollector } from './environment-image-metrics.collector';
import { JobMetricsCollector } from './job-metrics.collector';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';
import { QueueMetricsCollector } from './queue-metrics.collector';

/** GET /metrics: one registry, filled by collectors that read Redis only. */
@Module({
  imports: [EnvironmentsModule],
  controllers: [MetricsController],
  providers: [MetricsRegistry, JobMetricsCollector, QueueMetricsCollector, EnvironmentImageMetricsCollector],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
