import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  DEFAULT_ENVIRONMENT,
  ENVIRONMENT_IMAGE_LABELS,
  EnvironmentCatalogue,
  EnvironmentImageStats,
  EnvironmentVersion,
  ImageOperation,
} from '@sps/environments';
import { ContainerRuntime, ImageInfo } from '@sps/sandbox';
import { performance } from 'node:perf_hooks';
import { ImageRefusedError, RegistryPullError } from './environment-errors';
import {
  BuildLogSink,
  BuiltImage,
  builtImage,
  EnvironmentBuildError,
  EnvironmentImageBuilder,
} from './environment-image-builder.service';
import { HostBuildLock } from './host-build-lock.service';
import { ImageRegistry } from './image-registry.service';

/** A registry that just failed is asked again after this long, however many jobs wait for it meanwhile. */
export const PULL_RETRY_MS = 5000;
/**
 * Every default job asks which image the default tag names, to create its container from that id: an
 * Engine API call of a few ms on a path of about 20. Jobs reuse the answer this long, so a default image
 * rebuilt under the same tag is picked up within a second, and the stamp still names the image used.
 */
export const DEFAULT_IMAGE_RECHECK_MS = 1000;

const messageOf = (error: unknown): string => (error as Error)?.message || String(error);

/**
 * Makes sure this worker's engine has the image of an environment version:
 * pulled by digest from the registry when one is configured and the version
 * was pushed there, built from the stored spec otherwise. Build jobs use it
 * for new versions (and push them), and execution jobs for ready environments
 * this host lacks: that is how every worker, on any host, can run every environment.
 */
@Injectable()
export class EnvironmentImages implements OnApplicationBootstrap {
  private readonly logger = new Logger(EnvironmentImages.name);
  private readonly defaultImage: string;
  private readonly repository: string;
  private readonly workerId: string;
  /** Jobs in this process that need the same missing image share one build or pull. */
  private readonly inFlight = new Map<string, Promise<BuiltImage>>();
  private defaultPull: Promise<ImageInfo> | null = null;
  private defaultSeen: { info: ImageInfo; at: number } | null = null;
  /** The last failed pull of each reference, so that jobs waiting for the registry do not each ask the engine again. */
  private readonly failedPulls = new Map<string, { at: number; error: RegistryPullError }>();

  constructor(
    private readonly builder: EnvironmentImageBuilder,
    private readonly runtime: ContainerRuntime,
    private readonly catalogue: EnvironmentCatalogue,
    private readonly lock: HostBuildLock,
    private readonly registry: ImageRegistry,
    private readonly stats: EnvironmentImageStats,
    config: ConfigService<AppConfig, true>,
  ) {
    this.defaultImage = config.get('sandbox.image', { infer: true });
    this.repository = config.get('environments.imageRepository', { infer: true });
    this.workerId = config.get('worker.id', { infer: true });
  }

  /** A new host with a registry gets its default image from there before the first job asks for it. */
  onApplicationBootstrap(): void {
    if (!this.registry.url) return;
    this.defaultImageInfo().catch((error) =>
      this.logger.warn(`the default image is not on this host yet: ${messageOf(error)}`),
    );
  }

  tagFor(name: string, specHash: string): string {
    return this.builder.tagFor(name, specHash);
  }

  existing(name: string, specHash: string): Promise<BuiltImage | null> {
    return this.builder.existing(name, specHash);
  }

  /**
   * The default image on this engine, as seen at most `maxAgeMs` ago; with a registry, pulled from it
   * (`<REGISTRY_URL>/<SANDBOX_IMAGE>`) when missing.
   */
  async defaultImageInfo(maxAgeMs = 0): Promise<ImageInfo> {
    if (this.defaultSeen && Date.now() - this.defaultSeen.at < maxAgeMs) return this.defaultSeen.info;
    const info = await this.runtime.inspectImage(this.defaultImage);
    this.defaultSeen = info && { info, at: Date.now() };
    if (info) return info;
    if (!this.registry.url) {
      throw new EnvironmentBuildError(
        `the default image ${this.defaultImage} is missing on worker ${this.workerId} (npm run image:base builds it)`,
      );
    }
    const remote = this.registry.remote(this.defaultImage);
    this.defaultPull ??= this.pull(remote, this.defaultImage)
      .then((image) => {
        this.logger.log(`pulled the default image ${this.defaultImage} from ${remote} (${image.id})`);
        return image;
      })
      .finally(() => (this.defaultPull = null));
    return this.defaultPull;
  }

  /** `stop` interrupts a build this call starts (a worker shutting down); a build it joins goes on for the others. */
  async ensure(name: string, version: EnvironmentVersion, log: BuildLogSink, stop?: AbortSignal): Promise<BuiltImage> {
    const existing = await this.builder.existing(name, version.specHash);
    if (existing) return existing;
    const tag = this.tagFor(name, version.specHash);
    let pending = this.inFlight.get(tag);
    if (!pending) {
      pending = this.obtain(name, version, log, stop).finally(() => this.inFlight.delete(tag));
      this.inFlight.set(tag, pending);
    }
    return pending;
  }

  /** Pushes a version's image to the registry and returns the manifest digest it got there; null without a registry. */
  async publish(image: string, log: BuildLogSink, stop?: AbortSignal): Promise<string | null> {
    if (!this.registry.url) return null;
    const remote = this.registry.remote(image);
    log([`pushing ${remote}`]);
    try {
      const digest = await this.timed('push', () => this.registry.push(image, stop), stop);
      log([`pushed ${remote} (${digest})`]);
      this.logger.log(`pushed ${remote} (${digest})`);
      return digest;
    } catch (error) {
      if (stop?.aborted) throw error;
      throw new EnvironmentBuildError(`built ${image}, but could not push it to ${remote}: ${messageOf(error)}`);
    }
  }

  private async obtain(
    name: string,
    version: EnvironmentVersion,
    log: BuildLogSink,
    stop?: AbortSignal,
  ): Promise<BuiltImage> {
    // Records written before the registry existed have no digest at all.
    const digest = version.registryDigest ?? null;
    if (this.registry.url && digest) {
      try {
        const pulled = await this.pullVersion(name, version, digest, log);
        if (pulled) return pulled;
      } catch (error) {
        if (!(error instanceof RegistryPullError) || !this.registry.fallbackBuild) throw error;
        log([`${error.message}: building it here instead (REGISTRY_FALLBACK_BUILD)`]);
        this.logger.warn(`environment ${name}: ${error.message}; building it here (REGISTRY_FALLBACK_BUILD)`);
      }
    }
    return this.buildOnce(name, version, log, stop);
  }

  /**
   * Pulls the version by the digest its building worker recorded, and runs it
   * only if it is that version. Null when it is, but built on a default image
   * with another runner than this worker's: like any such image, it is then
   * built again here, on this worker's default image.
   */
  private async pullVersion(
    name: string,
    version: EnvironmentVersion,
    digest: string,
    log: BuildLogSink,
  ): Promise<BuiltImage | null> {
    const remote = this.registry.remote(`${this.repository}@${digest}`);
    log([`pulling ${remote}`]);
    const image = await this.pull(remote, null);
    const mismatch = this.mismatch(image, name, version);
    if (mismatch) {
      await this.runtime.removeImage(remote).catch(() => undefined);
      this.logger.error(`environment ${name}: refused ${remote}: ${mismatch}`);
      throw new ImageRefusedError(
        `environment "${name}": the image ${remote} does not match the recorded version (${mismatch}); it was removed and nothing ran in it`,
      );
    }
    const otherRunner = await this.builder.otherRunner(image);
    if (otherRunner) {
      await this.runtime.removeImage(remote).catch(() => undefined);
      log([`${remote} cannot run here (${otherRunner}): building it on this worker's default image`]);
      this.logger.warn(
        `environment ${name}: ${remote}: ${otherRunner}; building it here (npm run image:base -- --push gives every worker the same default image)`,
      );
      return null;
    }
    const tag = this.tagFor(name, version.specHash);
    await this.runtime.tagImage(remote, tag);
    log([`pulled ${remote} as ${tag}`]);
    this.logger.log(`environment ${name}: pulled ${remote}`);
    return builtImage(tag, image, 'pulled');
  }

  /** Pulls `remote` (naming it `local` too, when given) and returns what the engine then holds. */
  private async pull(remote: string, local: string | null): Promise<ImageInfo> {
    const failed = this.failedPulls.get(remote);
    if (failed && Date.now() - failed.at < PULL_RETRY_MS) throw failed.error;
    try {
      await this.timed('pull', () => this.registry.pull(remote));
    } catch (error) {
      const failure = new RegistryPullError(`could not pull ${remote} on worker ${this.workerId}: ${messageOf(error)}`);
      this.failedPulls.set(remote, { at: Date.now(), error: failure });
      throw failure;
    }
    this.failedPulls.delete(remote);
    if (local) await this.runtime.tagImage(remote, local);
    const info = await this.runtime.inspectImage(local ?? remote);
    if (!info) throw new RegistryPullError(`${remote} was gone from worker ${this.workerId} right after its pull`);
    return info;
  }

  /** Why a pulled image is not the version the catalogue records, or null. */
  private mismatch(image: ImageInfo, name: string, version: EnvironmentVersion): string | null {
    const labels = ENVIRONMENT_IMAGE_LABELS;
    const [environment, specHash] = [image.labels[labels.environment], image.labels[labels.specHash]];
    if (environment !== name || specHash !== version.specHash) {
      const what = environment ? `${environment} at spec ${specHash ?? 'none'}` : 'no environment version';
      return `it is the image of ${what}, not of ${name} at spec ${version.specHash}`;
    }
    if (version.imageId && image.id !== version.imageId)
      return `its content digest is ${image.id}, the record says ${version.imageId}`;
    return null;
  }

  private async buildOnce(
    name: string,
    version: EnvironmentVersion,
    log: BuildLogSink,
    stop?: AbortSignal,
  ): Promise<BuiltImage> {
    // The base first, outside the lock: it may need a build of its own, which takes the lock itself.
    const baseImage = await this.baseImageFor(version, log, stop);
    return this.lock.run(
      () => log(['waiting for another image build on this host to finish']),
      // Another process on this host may have built it while this one waited.
      async () =>
        (await this.builder.existing(name, version.specHash)) ??
        this.timed('build', () => this.builder.build(name, version, baseImage, log, stop), stop),
      stop,
    );
  }

  private async baseImageFor(version: EnvironmentVersion, log: BuildLogSink, stop?: AbortSignal): Promise<string> {
    const { base } = version;
    if (base.name === DEFAULT_ENVIRONMENT) {
      await this.defaultImageInfo();
      return this.defaultImage;
    }
    const specHash = base.specHash ?? '';
    const record = await this.catalogue.get(base.name);
    const baseVersion = [record?.active, record?.latest].find((v) => v?.specHash === specHash && v.status === 'ready');
    if (baseVersion) return (await this.ensure(base.name, baseVersion, log, stop)).image;
    const kept = await this.builder.existing(base.name, specHash);
    if (kept) return kept.image;
    throw new EnvironmentBuildError(
      `the base environment "${base.name}" has changed or gone since this version was submitted; submit this environment again to build it on the current base`,
    );
  }

  /** Counts and times a build, pull or push for /metrics; one stopped by a shutdown is not counted. */
  private async timed<T>(operation: ImageOperation, work: () => Promise<T>, stop?: AbortSignal): Promise<T> {
    const started = performance.now();
    let ok = false;
    try {
      const result = await work();
      ok = true;
      return result;
    } finally {
      if (ok || !stop?.aborted) {
        const seconds = (performance.now() - started) / 1000;
        this.stats.record(operation, ok ? 'ok' : 'failed', seconds).catch(() => undefined);
      }
    }
  }
}
