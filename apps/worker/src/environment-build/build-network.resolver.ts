import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { ContainerRuntime } from '@sps/sandbox';

/** The network image builds use on this worker's engine, or why builds are refused here. */
export type BuildNetwork = { name: string } | { refusal: string };

export const AUTO_BUILD_NETWORK = 'auto';

/**
 * Finds out once which network this worker's builds can use, so that a missing
 * one is reported at start and refuses builds with its reason, instead of every
 * build failing deep inside an apt log with "Unable to fetch some archives".
 */
@Injectable()
export class BuildNetworkResolver implements OnApplicationBootstrap {
  private readonly logger = new Logger(BuildNetworkResolver.name);
  private readonly configured: string;
  private resolved?: Promise<BuildNetwork>;

  constructor(
    private readonly runtime: ContainerRuntime,
    config: ConfigService<AppConfig, true>,
  ) {
    this.configured = config.get('environments.buildNetwork', { infer: true });
  }

  /** Says at start what builds will use; an engine that is down now is asked at the first build. */
  onApplicationBootstrap(): void {
    this.resolve().catch(() => undefined);
  }

  /** Asks the engine on the first call; an engine that does not answer is asked again next time. */
  resolve(): Promise<BuildNetwork> {
    this.resolved ??= this.ask().catch((error) => {
      this.resolved = undefined;
      throw error;
    });
    return this.resolved;
  }

  private async ask(): Promise<BuildNetwork> {
    if (this.configured !== AUTO_BUILD_NETWORK) {
      if (await this.runtime.networkExists(this.configured)) return this.chosen(this.configured, 'ENV_BUILD_NETWORK');
      const refusal =
        `environment builds are refused on this worker: its build network "${this.configured}" (ENV_BUILD_NETWORK) ` +
        `does not exist on its Docker engine; create it, or unset ENV_BUILD_NETWORK to use bridge or host`;
      this.logger.error(refusal);
      return { refusal };
    }
    if (await this.runtime.networkExists('bridge')) return this.chosen('bridge', 'the engine has a bridge network');
    this.logger.warn(
      'the Docker engine has no bridge network (dockerd --bridge=none): environment builds use the host network, ' +
        'so package install scripts can reach services on this host; set ENV_BUILD_NETWORK to choose another network',
    );
    return { name: 'host' };
  }

  private chosen(name: string, why: string): BuildNetwork {
    this.logger.log(`environment builds use the Docker network ${name} (${why})`);
    return { name };
  }
}
