import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, WorkerConfig } from '@sps/config';
import { WorkerHeartbeat, WorkerImage, WorkerRegistry } from '@sps/queue';
import { ContainerRuntime } from '@sps/sandbox';
import { hostname } from 'node:os';
import { EnvironmentImageResolver } from '../environment-build/environment-image-resolver.service';
import { WarmPool } from '../execution/warm-pool.service';
import { CancellationService } from '../runtime/cancellation.service';
import { DockerGate } from '../runtime/docker-gate.service';
import { SessionHost } from '../session/session-host.service';

/** Tells the API, through Redis, that this worker is alive and what it can run. */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HeartbeatService.name);
  private readonly config: WorkerConfig;
  private readonly registryUrl: string | null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: WorkerRegistry,
    private readonly runtime: ContainerRuntime,
    private readonly images: EnvironmentImageResolver,
    private readonly cancellations: CancellationService,
    private readonly docker: DockerGate,
    private readonly pool: WarmPool,
    private readonly sessions: SessionHost,
    config: ConfigService<AppConfig, true>,
  ) {
    this.config = config.get('worker', { infer: true });
    this.registryUrl = config.get('registry.url', { infer: true });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.config.heartbeatIntervalMs);
  }

  async beat(): Promise<WorkerHeartbeat> {
    const docker = await this.docker.check(); // also pauses or resumes taking jobs when Docker comes or goes
    const images: WorkerImage[] = [];
    if (docker.up) {
      for (const { name, image, specHash } of await this.images.known()) {
        const info = await this.runtime.inspectImage(image).catch(() => null);
        if (info) images.push({ environment: name, specHash, digest: info.id });
      }
    }
    const heartbeat: WorkerHeartbeat = {
      id: this.config.id,
      host: hostname(),
      pid: process.pid,
      concurrency: this.config.concurrency,
      busy: this.cancellations.busy,
      docker,
      environments: images.map((i) => i.environment),
      images,
      registry: this.registryUrl,
      pool: this.pool.stats(),
      sessions: this.sessions.stats(),
      lastSeen: new Date().toISOString(),
    };
    await this.registry
      .publish(heartbeat)
      .catch((error: Error) => this.logger.warn(`heartbeat not published: ${error.message}`));
    return heartbeat;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.registry.remove(this.config.id).catch(() => undefined);
  }
}
