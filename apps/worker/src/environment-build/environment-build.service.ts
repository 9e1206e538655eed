import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  BuildResult,
  completeBuild,
  Completion,
  EnvironmentBuildLog,
  EnvironmentCatalogue,
  EnvironmentImageEvents,
} from '@sps/environments';
import type { EnvironmentBuildJobData, EnvironmentBuildOutcome } from '@sps/queue';
import { BuildLogWriter } from './build-log-writer';
import { BuildInterruptedError, EnvironmentBuildError } from './environment-image-builder.service';
import { EnvironmentImages } from './environment-images.service';

/** Runs one build job: builds the version, pushes it to the registry if there is one, records the result, and retires the image it replaced. */
@Injectable()
export class EnvironmentBuildService {
  private readonly logger = new Logger(EnvironmentBuildService.name);
  private readonly workerId: string;

  constructor(
    private readonly images: EnvironmentImages,
    private readonly catalogue: EnvironmentCatalogue,
    private readonly buildLog: EnvironmentBuildLog,
    private readonly imageEvents: EnvironmentImageEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.workerId = config.get('worker.id', { infer: true });
  }

  /** `stop` interrupts the build (the worker is shutting down): it throws BuildInterruptedError and records nothing. */
  async run(
    { name, buildId, specHash }: EnvironmentBuildJobData,
    stop?: AbortSignal,
  ): Promise<EnvironmentBuildOutcome> {
    const record = await this.catalogue.get(name);
    if (!record || record.latest.buildId !== buildId) {
      this.logger.log(`build ${buildId} of ${name}: superseded before it started`);
      return { status: 'superseded', image: null };
    }
    const writer = new BuildLogWriter(this.buildLog, buildId);
    writer.write([`build ${buildId} of ${name} (spec ${specHash}) started on worker ${this.workerId}`]);
    let result: BuildResult;
    try {
      const built = await this.images.ensure(name, record.latest, writer.write, stop);
      if (built.origin === 'engine')
        writer.write([`${built.image} is already on this host (built earlier with the same spec): using it`]);
      // With a registry, the version is ready only once it is there: every other worker pulls this digest.
      const registryDigest = await this.images.publish(built.image, writer.write, stop);
      result = {
        status: 'ready',
        image: built.image,
        imageId: built.imageId,
        registryDigest,
        baseImageId: built.baseImageId,
        sizeBytes: built.sizeBytes,
        builtBy: this.workerId,
        builtAt: new Date().toISOString(),
      };
    } catch (error) {
      if (stop?.aborted) {
        writer.write(['interrupted: this worker is shutting down, and the build goes back to the queue']);
        await writer.flush();
        throw new BuildInterruptedError();
      }
      // Infrastructure faults are shown too: the client sees why, and submits again once fixed.
      const message =
        error instanceof EnvironmentBuildError
          ? error.message
          : `the build failed: ${(error as Error)?.message ?? error}`;
      result = { status: 'failed', error: message };
      writer.write([`build failed: ${message}`]);
    }
    await writer.flush();
    let completion: Completion = { record: null, superseded: true, replaced: null };
    await this.catalogue.update(name, (current) => {
      completion = completeBuild(current, buildId, result);
      return completion.superseded ? undefined : completion.record;
    });
    if (completion.superseded) {
      // Deleted or replaced meanwhile: the sweepers remove the image unless another version wants it.
      if (result.status === 'ready') await this.retire(name, record.latest.specHash);
      await this.buildLog.end(buildId, 'failed', 'superseded by a newer version or a delete');
      this.logger.log(`build ${buildId} of ${name}: superseded while it ran`);
      return { status: 'superseded', image: null };
    }
    if (completion.replaced) await this.retire(name, completion.replaced.specHash);
    await this.buildLog.end(buildId, result.status, result.status === 'failed' ? result.error : null);
    this.logger.log(`build ${buildId} of ${name}: ${result.status}`);
    return result.status === 'ready'
      ? { status: 'ready', image: result.image }
      : { status: 'failed', image: null, error: result.error };
  }

  /** Every worker's sweeper, this one's included, removes the version's image from its engine unless a version still wants it. */
  private async retire(name: string, specHash: string): Promise<void> {
    await this.imageEvents.announceObsolete([{ name, specHash }]).catch(() => undefined);
  }
}
