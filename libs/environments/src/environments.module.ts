import { Module } from '@nestjs/common';
import { EnvironmentBuildLog } from './environment-build-log.service';
import { EnvironmentCatalogue } from './environment-catalogue.service';

/** The catalogue and the build logs, for the API and the workers alike; Redis comes from the global QueueModule. */
@Module({
  providers: [EnvironmentCatalogue, EnvironmentBuildLog],
  exports: [EnvironmentCatalogue, EnvironmentBuildLog],
})
export class EnvironmentsModule {}
