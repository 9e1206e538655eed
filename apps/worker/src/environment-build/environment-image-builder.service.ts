import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, EnvironmentsConfig } from '@sps/config';
import {
  buildContextTar,
  ENVIRONMENT_IMAGE_LABELS,
  environmentImageTag,
  EnvironmentVersion,
  readWheelhouse,
  renderDockerfile,
} from '@sps/environments';
import { ContainerRuntime, ImageInfo } from '@sps/sandbox';
import { BuildNetworkResolver } from './build-network.resolver';

export interface BuiltImage {
  image: string;
  /** Its content digest. */
  imageId: string;
  /** The content digest of the image it was built on, from its label (null on images older than that label). */
  baseImageId: string | null;
  sizeBytes: number;
  /** `engine`: the engine had it already (built earlier, or by `npm run image:datascience`). */
  origin: 'engine' | 'built' | 'pulled';
}

export type BuildLogSink = (lines: string[]) => void;

export const builtImage = (tag: string, image: ImageInfo, origin: BuiltImage['origin']): BuiltImage => ({
  image: tag,
  imageId: image.id,
  baseImageId: image.labels[ENVIRONMENT_IMAGE_LABELS.baseDigest] ?? null,
  sizeBytes: image.sizeBytes,
  origin,
});

/** A build that cannot succeed as asked; its message is written for the user. */
export class EnvironmentBuildError extends Error {}

/** A build stopped because its worker is shutting down: no verdict on the spec, another worker builds it. */
export class BuildInterruptedError extends Error {
  constructor() {
    super('the build was interrupted: its worker is shutting down');
  }
}

/**
 * Builds one environment version's image on this worker's engine, from the
 * spec and a base image that is already there. Knows nothing of Redis, so
 * `npm run image:datascience` builds with exactly this code.
 */
@Injectable()
export class EnvironmentImageBuilder {
  private readonly logger = new Logger(EnvironmentImageBuilder.name);
  private readonly config: EnvironmentsConfig;
  private readonly deployment: string;
  private readonly workerId: string;
  private readonly defaultImage: string;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly networks: BuildNetworkResolver,
    config: ConfigService<AppConfig, true>,
  ) {
    this.config = config.get('environments', { infer: true });
    this.defaultImage = config.get('sandbox.image', { infer: true });
    this.deployment = config.get('redis.prefix', { infer: true });
    this.workerId = config.get('worker.id', { infer: true });
  }

  tagFor(name: string, specHash: string): string {
    return environmentImageTag(this.config.imageRepository, name, specHash);
  }

  /**
   * The image of a version when the engine has a usable one: checked by its
   * spec-hash label rather than trusted by tag, and built on the default
   * image this worker uses now. An image built on another version of the
   * base carries another runner, which may not speak this worker's protocol:
   * it counts as missing and is built again, on the current base.
   */
  async existing(name: string, specHash: string): Promise<BuiltImage | null> {
    const tag = this.tagFor(name, specHash);
    const image = await this.runtime.inspectImage(tag);
    if (!image || image.labels[ENVIRONMENT_IMAGE_LABELS.specHash] !== specHash) return null;
    if (await this.otherRunner(image)) return null;
    return builtImage(tag, image, 'engine');
  }

  /** Why an environment image cannot run on this worker: built on a default image with another runner. Null when it can. */
  async otherRunner(image: ImageInfo): Promise<string | null> {
    const runner = (await this.runtime.inspectImage(this.defaultImage))?.labels[ENVIRONMENT_IMAGE_LABELS.baseSource];
    const its = image.labels[ENVIRONMENT_IMAGE_LABELS.baseSource];
    if (!runner || its === runner) return null;
    return `it was built on a default image with runner ${its ?? 'unknown'}, this worker's ${this.defaultImage} has ${runner}`;
  }

  async build(
    name: string,
    version: EnvironmentVersion,
    baseImage: string,
    log: BuildLogSink,
    stop?: AbortSignal,
  ): Promise<BuiltImage> {
    const tag = this.tagFor(name, version.specHash);
    const network = await this.networks.resolve();
    if ('refusal' in network) throw new EnvironmentBuildError(network.refusal);
    // Rendered again from the spec, which is validated again on the way: whatever is stored in Redis, only a valid spec becomes a build.
    const dockerfile = renderDockerfile(version.spec);
    if (dockerfile !== version.dockerfile)
      log(['note: this worker renders the spec differently from the stored Dockerfile; building its own rendering']);
    const usesPip = version.spec.pip.length > 0;
    const wheelhouse = usesPip
      ? this.config.pipWheelhouse
        ? await readWheelhouse(this.config.pipWheelhouse, this.config.pipWheelhouseMaxBytes)
        : []
      : null;
    const base = await this.runtime.inspectImage(baseImage);
    if (!base) throw new EnvironmentBuildError(`the base image ${baseImage} is not on worker ${this.workerId}`);
    const context = await buildContextTar(dockerfile, wheelhouse);
    const buildArgs: Record<string, string> = { BASE_IMAGE: baseImage };
    if (usesPip && this.config.pipIndexUrl) buildArgs.PIP_INDEX_URL = this.config.pipIndexUrl;
    if (usesPip && this.config.pipNoIndex) buildArgs.PIP_NO_INDEX = '1';
    if (version.spec.conda.length) {
      buildArgs.MICROMAMBA_URL = this.config.micromambaUrl;
      if (this.config.micromambaSha256) buildArgs.MICROMAMBA_SHA256 = this.config.micromambaSha256;
    }
    log([
      `building ${tag} on worker ${this.workerId} from ${baseImage} (network ${network.name}` +
        (wheelhouse ? `, ${wheelhouse.length} file(s) in the wheelhouse` : '') +
        ')',
    ]);
    const started = Date.now();
    const timeout = AbortSignal.timeout(this.config.buildTimeoutMs);
    const signal = stop ? AbortSignal.any([timeout, stop]) : timeout;
    let imageId: string;
    try {
      imageId = await this.runtime.buildImage(context, {
        tag,
        buildArgs,
        labels: {
          [ENVIRONMENT_IMAGE_LABELS.environment]: name,
          [ENVIRONMENT_IMAGE_LABELS.specHash]: version.specHash,
          [ENVIRONMENT_IMAGE_LABELS.deployment]: this.deployment,
          [ENVIRONMENT_IMAGE_LABELS.baseDigest]: base.id,
        },
        networkMode: network.name,
        signal,
        onLine: (line) => log([line]),
      });
    } catch (error) {
      if (stop?.aborted) throw new BuildInterruptedError();
      if (timeout.aborted)
        throw new EnvironmentBuildError(
          `the build took longer than ENV_BUILD_TIMEOUT_MS (${this.config.buildTimeoutMs / 1000} s)`,
        );
      throw new EnvironmentBuildError((error as Error).message || String(error));
    }
    const info = await this.runtime.inspectImage(tag);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log([`built ${tag} (${imageId.slice(0, 19)}, ${info?.sizeBytes ?? 0} bytes) in ${seconds} s`]);
    this.logger.log(`environment ${name}: built ${tag} in ${seconds} s`);
    return { image: tag, imageId, baseImageId: base.id, sizeBytes: info?.sizeBytes ?? 0, origin: 'built' };
  }
}
