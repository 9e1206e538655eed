import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { DEFAULT_ENVIRONMENT, EnvironmentCatalogue, EnvironmentVersion } from '@sps/environments';
import { ContainerRuntime } from '@sps/sandbox';
import {
  BuildLogSink,
  BuiltImage,
  EnvironmentBuildError,
  EnvironmentImageBuilder,
} from './environment-image-builder.service';
import { HostBuildLock } from './host-build-lock.service';

/**
 * Makes sure this worker's engine has the image of an environment version,
 * building it from the stored spec when missing. Build jobs use it for new
 * versions, and execution jobs for ready environments this host has never
 * built: that is how every worker, on any host, can run every environment.
 */
@Injectable()
export class EnvironmentImages {
  private readonly defaultImage: string;
  private readonly workerId: string;
  /** Jobs in this process that need the same missing image share one build. */
  private readonly inFlight = new Map<string, Promise<BuiltImage>>();

  constructor(
    private readonly builder: EnvironmentImageBuilder,
    private readonly runtime: ContainerRuntime,
    private readonly catalogue: EnvironmentCatalogue,
    private readonly lock: HostBuildLock,
    config: ConfigService<AppConfig, true>,
  ) {
    this.defaultImage = config.get('sandbox.image', { infer: true });
    this.workerId = config.get('worker.id', { infer: true });
  }

  tagFor(name: string, specHash: string): string {
    return this.builder.tagFor(name, specHash);
  }

  existing(name: string, specHash: string): Promise<BuiltImage | null> {
    return this.builder.existing(name, specHash);
  }

  /** `stop` interrupts a build this call starts (a worker shutting down); a build it joins goes on for the others. */
  async ensure(name: string, version: EnvironmentVersion, log: BuildLogSink, stop?: AbortSignal): Promise<BuiltImage> {
    const existing = await this.builder.existing(name, version.specHash);
    if (existing) return existing;
    const tag = this.tagFor(name, version.specHash);
    let pending = this.inFlight.get(tag);
    if (!pending) {
      pending = this.buildOnce(name, version, log, stop).finally(() => this.inFlight.delete(tag));
      this.inFlight.set(tag, pending);
    }
    return pending;
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
        this.builder.build(name, version, baseImage, log, stop),
      stop,
    );
  }

  private async baseImageFor(version: EnvironmentVersion, log: BuildLogSink, stop?: AbortSignal): Promise<string> {
    const { base } = version;
    if (base.name === DEFAULT_ENVIRONMENT) {
      if (!(await this.runtime.imageExists(this.defaultImage))) {
        throw new EnvironmentBuildError(
          `the default image ${this.defaultImage} is missing on worker ${this.workerId} (npm run image:base builds it)`,
        );
      }
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
}
