import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, DatascienceSetting } from '@sps/config';
import { DATASCIENCE_ENVIRONMENT, datascienceSpec } from '@sps/environments';
import { EnvironmentsService } from './environments.service';

/**
 * The built-in `datascience` environment is added to the catalogue the first
 * time a deployment's API starts (ENV_DATASCIENCE picks the recipe, or off).
 * A worker then builds it, or finds it already built on its host by
 * `npm run image:datascience`, which makes it ready at once.
 */
@Injectable()
export class BuiltinEnvironmentsSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(BuiltinEnvironmentsSeeder.name);
  private readonly datascience: DatascienceSetting;

  constructor(
    private readonly environments: EnvironmentsService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.datascience = config.get('environments.datascience', { infer: true });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.datascience === 'off') return;
    try {
      if (await this.environments.seedBuiltin(DATASCIENCE_ENVIRONMENT, datascienceSpec(this.datascience))) {
        this.logger.log(`added the built-in environment ${DATASCIENCE_ENVIRONMENT} (${this.datascience} packages)`);
      }
    } catch (error) {
      // Not fatal: the API serves without it, and the next start tries again.
      this.logger.warn(
        `could not add the built-in environment ${DATASCIENCE_ENVIRONMENT}: ${(error as Error)?.message ?? error}`,
      );
    }
  }
}
