import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, SandboxConfig, SandboxLimits } from '@sps/config';
import { buildSandboxSpec } from '@sps/sandbox';
import type { ContainerCreateOptions } from 'dockerode';
import { randomUUID } from 'node:crypto';
import { SandboxUids } from '../runtime/sandbox-uids.service';

/** What a container is for: one job (the cold path), or whichever job comes while it waits in the pool (the warm path). */
export interface SandboxJob {
  /** The job's id, or WARM_POOL_JOB for a container that waits for any job. */
  id: string;
  image: string;
  limits: SandboxLimits;
  network: boolean;
  /** How long it may be needed: a job's time limit, or how long a pooled container waits plus the longest job. */
  lifetimeMs: number;
}

/** The job label of pre-started containers, which belong to no job yet. */
export const WARM_POOL_JOB = 'warm-pool';

/**
 * Added to a container's lifetime in its deadline label, for what happens
 * around the job itself: the container's start, the runner's own grace and the
 * collection of its files. The reaper waits REAPER_DEADLINE_GRACE_MS more on top.
 */
export const DEADLINE_SLACK_MS = 60_000;

/** The one place a sandbox container's spec input is put together, for both paths. */
@Injectable()
export class SandboxSpecs {
  private readonly sandbox: SandboxConfig;
  private readonly workerId: string;
  private readonly deployment: string;

  constructor(
    private readonly uids: SandboxUids,
    config: ConfigService<AppConfig, true>,
  ) {
    this.sandbox = config.get('sandbox', { infer: true });
    this.workerId = config.get('worker.id', { infer: true });
    this.deployment = config.get('redis.prefix', { infer: true });
  }

  /** The name a container takes once it serves `jobId`; Docker names allow the deployment's prefix and a UUID as they are. */
  containerNameFor(jobId: string): string {
    return `sps-${this.deployment}-job-${jobId}`;
  }

  /**
   * Leases the container a uid of its own (ContainerDisposer ends the lease once the
   * container is removed, or `abandon` when it never started) and builds its spec.
   */
  async sandboxSpecFor(job: SandboxJob, now = Date.now()): Promise<ContainerCreateOptions> {
    const lifetimeMs = job.lifetimeMs + DEADLINE_SLACK_MS;
    const spec = buildSandboxSpec(
      {
        image: job.image,
        deployment: this.deployment,
        jobId: job.id,
        workerId: this.workerId,
        limits: job.limits,
        network: job.network,
        uid: await this.uids.lease(lifetimeMs),
        deadline: now + lifetimeMs,
      },
      this.sandbox,
    );
    // Named from the start: a create whose answer was lost can still be found, and removed, by its name.
    return { ...spec, name: `sps-${this.deployment}-${randomUUID()}` };
  }
}
