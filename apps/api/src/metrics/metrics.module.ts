import { Module } from '@nestjs/common';
import { JobMetricsCollector } from './job-metrics.collector';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';
import { QueueMetricsCollector } from './queue-metrics.collector';

/** GET /metrics: one registry, filled by collectors that read Redis only. */
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, JobMetricsCollector, QueueMetricsCollector],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
