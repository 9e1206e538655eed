import { Module } from '@nestjs/common';
import { RedisModule } from '@sps/redis';
import { EnvironmentBuildLog } from './environment-build-log.service';
import { EnvironmentCatalogue } from './environment-catalogue.service';
import { EnvironmentImageEvents } from './environment-image-events.service';

/** The catalogue, the build logs and the image announcements, in Redis: for the API and the workers alike. */
@Module({
  imports: [RedisModule],
  providers: [EnvironmentCatalogue, EnvironmentBuildLog, EnvironmentImageEvents],
  exports: [EnvironmentCatalogue, EnvironmentBuildLog, EnvironmentImageEvents],
})
export class EnvironmentsModule {}
