import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { DEFAULT_ENVIRONMENT, ENVIRONMENT_IMAGE_LABELS, EnvironmentCatalogue } from '@sps/environments';
import type { ReproducibilityStamp } from '@sps/queue';
import { UnrecoverableError } from 'bullmq';
import { DEFAULT_IMAGE_RECHECK_MS, EnvironmentImages, PULL_RETRY_MS } from './environment-images.service';
import {
  EnvironmentNotReadyError,
  EnvironmentUnavailableError,
  ImageRefusedError,
  RegistryPullError,
} from './environment-errors';

const RECHECK_MS = 1000;
const LOCAL_BUILD_LOG_LINES = 20;

/** The image a job runs in, by content digest, so that what the result says is exactly what ran. */
export interface JobImage {
  /** The image id: containers are created from it, never from a tag that could move meanwhile. */
  image: string;
  stamp: ReproducibilityStamp;
}

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
   * ENV_WAIT_MS after the job was created, and so does a job whose image the
   * registry cannot give right now; a ready environment this engine lacks is
   * pulled from the registry, or built here from its stored spec, first.
   */
  async imageFor(environment: string, createdAt: string): Promise<JobImage> {
    if (environment === DEFAULT_ENVIRONMENT) {
      const image = await this.obtain(environment, createdAt, () =>
        this.images.defaultImageInfo(DEFAULT_IMAGE_RECHECK_MS),
      );
      const stamp = {
        specHash: null,
        digest: image.id,
        baseDigest: image.labels[ENVIRONMENT_IMAGE_LABELS.baseDigest] ?? null,
      };
      return { image: image.id, stamp };
    }
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
    const built = await this.obtain(environment, createdAt, () =>
      this.images.ensure(environment, active, (lines) => {
        recent.push(...lines);
        recent.splice(0, Math.max(0, recent.length - LOCAL_BUILD_LOG_LINES));
      }),
    ).catch((error) => {
      if (error instanceof EnvironmentUnavailableError) this.logger.error(`${error.message}\n${recent.join('\n')}`);
      throw error;
    });
    if (built.origin !== 'engine')
      this.logger.log(`environment ${environment}: ${built.image} ${built.origin} here for a job`);
    this.catalogue.touch(environment).catch(() => undefined);
    const stamp = { specHash: active.specHash, digest: built.imageId, baseDigest: built.baseImageId };
    return { image: built.imageId, stamp };
  }

  /**
   * Sorts what getting an image can fail with: the registry unavailable (the
   * job waits, up to ENV_WAIT_MS after its creation), an image refused
   * (permanent), and anything else (a local build that failed: retried).
   */
  private async obtain<T>(environment: string, createdAt: string, get: () => Promise<T>): Promise<T> {
    try {
      return await get();
    } catch (error) {
      if (error instanceof ImageRefusedError) throw new UnrecoverableError(error.message);
      if (error instanceof RegistryPullError) {
        const waited = Date.now() - Date.parse(createdAt);
        if (waited >= this.waitMs) {
          throw new UnrecoverableError(
            `environment "${environment}": its image could not be pulled within ${Math.round(waited / 1000)} s (ENV_WAIT_MS): ${error.message}`,
          );
        }
        this.logger.warn(`environment ${environment}: ${error.message}; the job waits for the registry`);
        throw new EnvironmentNotReadyError(environment, PULL_RETRY_MS);
      }
      throw new EnvironmentUnavailableError(
        `environment "${environment}" could not be built on worker ${this.workerId}: ${(error as Error)?.message ?? error}`,
      );
    }
  }

  /**
   * The image to pre-start warm containers from: that of the version jobs run
   * in now, when this engine has it, by id as jobs ask for it. Never builds or
   * pulls an environment (a job does that) and does not count as use. The
   * engine is always asked: a refill while it is away then starts nothing.
   */
  async imageForPool(environment: string): Promise<string> {
    if (environment === DEFAULT_ENVIRONMENT) return (await this.images.defaultImageInfo()).id;
    const active = (await this.catalogue.get(environment))?.active;
    if (!active) throw new Error(`environment "${environment}" has no ready version`);
    const image = await this.images.existing(environment, active.specHash);
    if (!image) throw new Error(`environment "${environment}" has no image on this host yet`);
    return image.imageId;
  }

  /** Every environment with a ready version and the image it needs here, for the heartbeat's report. */
  async known(): Promise<{ name: string; image: string; specHash: string | null }[]> {
    const records = await this.catalogue.list().catch(() => []);
    return [
      { name: DEFAULT_ENVIRONMENT, image: this.defaultImage, specHash: null },
      ...records
        .filter((r) => r.active)
        .map((r) => ({
          name: r.name,
          image: this.images.tagFor(r.name, r.active!.specHash),
          specHash: r.active!.specHash,
        })),
    ];
  }
}
