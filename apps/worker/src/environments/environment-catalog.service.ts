import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { UnrecoverableError } from 'bullmq';

export const DEFAULT_ENVIRONMENT = 'default';

/** Resolves an environment name to the image its jobs run in. */
@Injectable()
export class EnvironmentCatalog {
  private readonly defaultImage: string;

  constructor(config: ConfigService<AppConfig, true>) {
    this.defaultImage = config.get('sandbox.image', { infer: true });
  }

  imageFor(environment: string): string {
    if (environment === DEFAULT_ENVIRONMENT) return this.defaultImage;
    // Permanent: retrying cannot make an unknown environment appear.
    throw new UnrecoverableError(`unknown environment "${environment}"`);
  }

  /** Every environment with the image it needs, for the heartbeat's report. */
  known(): { name: string; image: string }[] {
    return [{ name: DEFAULT_ENVIRONMENT, image: this.defaultImage }];
  }
}
