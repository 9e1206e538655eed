import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { AppConfig } from '@sps/config';
import { EnvironmentCatalogue } from '@sps/environments';
import { WorkerRegistry } from '@sps/queue';
import { HEALTH_CHECK_TIMEOUT_MS, withTimeout } from './health-timeout';

/**
 * Environments with a ready version that no live worker has the image of: the
 * first job in each pays a pull (`inRegistry`) or a whole build. Readiness
 * stays up for them: any worker can still get the image.
 */
@Injectable()
export class EnvironmentHealthIndicator {
  private readonly heartbeatTtlMs: number;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly catalogue: EnvironmentCatalogue,
    private readonly registry: WorkerRegistry,
    config: ConfigService<AppConfig, true>,
  ) {
    this.heartbeatTtlMs = config.get('worker.heartbeatTtlMs', { infer: true });
  }

  async check(key = 'environments') {
    const indicator = this.health.check(key);
    try {
      const [records, live] = await withTimeout(
        Promise.all([this.catalogue.list(), this.registry.live(this.heartbeatTtlMs)]),
        HEALTH_CHECK_TIMEOUT_MS,
      );
      // A worker from before heartbeats listed images reports none: its environments count as absent.
      const present = new Set(live.flatMap((w) => (w.images ?? []).map((i) => `${i.environment}@${i.specHash}`)));
      const onNoWorker = records
        .filter((r) => r.active && !present.has(`${r.name}@${r.active.specHash}`))
        .map((r) => ({ name: r.name, specHash: r.active!.specHash, inRegistry: !!r.active!.registryDigest }));
      return indicator.up({ ready: records.filter((r) => r.active).length, onNoWorker });
    } catch {
      return indicator.down({ message: 'the environment catalogue cannot be read: redis is unreachable' });
    }
  }
}
