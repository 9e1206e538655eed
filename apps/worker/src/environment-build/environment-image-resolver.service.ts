import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { DEFAULT_ENVIRONMENT, EnvironmentCatalogue } from '@sps/environments';
import { UnrecoverableError } from 'bullmq';
import { EnvironmentImages } from './environment-images.service';
import { EnvironmentNotReadyError, EnvironmentUnavailableError } from './environment-errors';

const RECHECK_MS = 1000;
const LOCAL_BUILD_LOG_LINES = 20;

/**
 * Resolves an environment's name to the image its jobs run in, on this
 * worker's engine, from the catalogue (libs/environments) that the API keeps.
 */
@Injectable()
export class EnvironmentImageResolver {
  private readonly logger = new Logger(EnvironmentImageResolver.name);
  private readonly defaultImage: string;
  private readonly waitMs: number;
  private readonly workerId: string;

  constructor(
    private readonly catalogue: EnvironmentCatalogue,
    private readonly images: EnvironmentImages,
    config: ConfigService<AppConfig, true>,
  ) {
    this.defaultImage = config.get('sandbox.image', { infer: true });
    this.waitMs = config.get('environments.waitMs', { infer: true });
    this.workerId = config.get('worker.id', { infer: true });
  }

  /**
   * The image for a job created at `createdAt`. A job for an environment that
   * is still building (with no earlier version ready) waits for it, up to
   * ENV_WAIT_MS after the job was created; a ready environment this engine
   * lacks is built here from its stored spec first.
   */
  async imageFor(environment: string, createdAt: string): Promise<string> {
    if (environment === DEFAULT_ENVIRONMENT) return this.defaultImage;
    const record = await this.catalogue.get(environment);
    // Permanent: retrying cannot make an unknown environment appear.
    if (!record) throw new UnrecoverableError(`unknown environment "${environment}"`);
    const active = record.active;
    if (!active) {
      if (record.latest.status === 'failed')
        throw new UnrecoverableError(`environment "${environment}" failed to build: ${record.latest.error}`);
      const waited = Date.now() - Date.parse(createdAt);
      if (waited >= this.waitMs) {
        throw new UnrecoverableError(
          `environment "${environment}" is still building after ${Math.round(waited / 1000)} s (ENV_WAIT_MS); try again once it is ready`,
        );
      }
      throw new EnvironmentNotReadyError(environment, RECHECK_MS);
    }
    const recent: string[] = [];
    try {
      const built = await this.images.ensure(environment, active, (lines) => {
        recent.push(...lines);
        recent.splice(0, Math.max(0, recent.length - LOCAL_BUILD_LOG_LINES));
      });
      if (!built.reused) this.logger.log(`environment ${environment}: built ${built.image} on this host for a job`);
      this.catalogue.touch(environment).catch(() => undefined);
      return built.image;
    } catch (error) {
      this.logger.error(
        `environment ${environment}: could not build its image here: ${(error as Error)?.message}\n${recent.join('\n')}`,
      );
      throw new EnvironmentUnavailableError(
        `environment "${environment}" could not be built on worker ${this.workerId}: ${(error as Error)?.message ?? error}`,
      );
    }
  }

  /**
   * The image to pre-start warm containers from: that of the version jobs run
   * in now, when this engine has it. Never builds (a job does that) and does
   * not count as use.
   */
  async imageForPool(environment: string): Promise<string> {
    if (environment === DEFAULT_ENVIRONMENT) return this.defaultImage;
    const active = (await this.catalogue.get(environment))?.active;
    if (!active) throw new Error(`environment "${environment}" has no ready version`);
    const image = await this.images.existing(environment, active.specHash);
    if (!image) throw new Error(`environment "${environment}" has no image on this host yet`);
    return image.image;
  }

  /** Every environment with a ready version and the image it needs here, for the heartbeat's report. */
  async known(): Promise<{ name: string; image: string }[]> {
    const records = await this.catalogue.list().catch(() => []);
    return [
      { name: DEFAULT_ENVIRONMENT, image: this.defaultImage },
      ...records
        .filter((r) => r.active)
        .map((r) => ({ name: r.name, image: this.images.tagFor(r.name, r.active!.specHash) })),
    ];
  }
}
