import { Module } from '@nestjs/common';
import { RedisModule } from '@sps/redis';
import { EnvironmentBuildLog } from './environment-build-log.service';
import { EnvironmentCatalogue } from './environment-catalogue.service';
import { EnvironmentImageEvents } from './environment-image-events.service';
import { EnvironmentImageStats } from './environment-image-stats.service';

/** The catalogue, the build logs, the image announcements and image operation totals, in Redis: for the API and the workers alike. */
@Module({
  imports: [RedisModule],
  providers: [EnvironmentCatalogue, EnvironmentBuildLog, EnvironmentImageEvents, EnvironmentImageStats],
  exports: [EnvironmentCatalogue, EnvironmentBuildLog, EnvironmentImageEvents, EnvironmentImageStats],
})
export class EnvironmentsModule {}
