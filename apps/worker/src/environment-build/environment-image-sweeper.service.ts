import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  ENVIRONMENT_IMAGE_LABELS,
  EnvironmentCatalogue,
  EnvironmentImageEvents,
  wantedImages,
} from '@sps/environments';
import type { RedisSubscription } from '@sps/redis';
import { ContainerRuntime } from '@sps/sandbox';

// A build commits its image a moment before it names it (the engine removes the build's containers in
// between): a nameless image this young may be one still being built, and is left for a later sweep.
const NAMELESS_GRACE_MS = 5 * 60_000;

/**
 * Removes environment images that no version in the catalogue wants any
 * more: at once when told (a version replaced, an environment deleted), and
 * every ENV_SWEEP_INTERVAL_MS for anything missed while this worker was
 * down. It only touches images its own deployment built (by label), and
 * never by force: an image a running job's container uses stays until a
 * later sweep, so jobs keep the image they started with.
 */
@Injectable()
export class EnvironmentImageSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EnvironmentImageSweeper.name);
  private readonly deployment: string;
  private readonly intervalMs: number;
  private subscription: RedisSubscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly catalogue: EnvironmentCatalogue,
    private readonly imageEvents: EnvironmentImageEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.deployment = config.get('redis.prefix', { infer: true });
    this.intervalMs = config.get('environments.sweepIntervalMs', { infer: true });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.imageEvents.listen(
      (images) => void this.sweep(images.map((i) => `${i.name}@${i.specHash}`)),
    );
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    void this.sweep();
  }

  /** Removes this deployment's unwanted environment images; with `only`, just those (name@specHash). Sweeps never overlap. */
  sweep(only?: string[]): Promise<void> {
    this.running = this.running
      .then(() => this.sweepOnce(only))
      .catch((error: Error) => this.logger.warn(`image sweep failed: ${error?.message ?? String(error)}`));
    return this.running;
  }

  private async sweepOnce(only?: string[]): Promise<void> {
    const labels = ENVIRONMENT_IMAGE_LABELS;
    // Listed before the catalogue is read: any image listed here was built before that read, so a version it belongs to is in it.
    const images = await this.runtime.listImages([
      `${labels.deployment}=${this.deployment}`,
      labels.environment,
      labels.specHash,
    ]);
    if (!images.length) return;
    const wanted = wantedImages(await this.catalogue.list());
    for (const image of images) {
      const key = `${image.labels[labels.environment]}@${image.labels[labels.specHash]}`;
      // An image goes with its last name, tag or registry digest (a pulled one has both, a pushed one has the registry's tag too).
      const names = [...image.tags, ...image.digests].filter((n) => !n.startsWith('<none>'));
      // Nameless: replaced by a build of the same version on a newer base image; it goes by id once no container uses it.
      // One known only by its digest (pulled, not named yet) is still wanted.
      if ((wanted.has(key) && names.length) || (only && !only.includes(key))) continue;
      if (!names.length && Date.now() - image.createdAt < NAMELESS_GRACE_MS) continue;
      for (const ref of names.length ? names : [image.id]) {
        const outcome = await this.runtime.removeImage(ref);
        if (outcome === 'removed') this.logger.log(`removed ${ref}: no environment version uses it any more`);
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.subscription?.close();
  }
}
