import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ContainerMayExistError, ContainerRuntime, SANDBOX_LABELS, type AttachedContainer } from '@sps/sandbox';
import type { ContainerCreateOptions } from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxUids } from './sandbox-uids.service';

// Enough to ride out a short engine outage; a longer one is the reaper's to clean up.
const REMOVE_ATTEMPTS = 8;
const MAX_RETRY_DELAY_MS = 5000;
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Removes used containers off the result's critical path: a job's result is
 * recorded first (see ExecutionRunnerService.run), its container is force-removed right after. Shutdown waits
 * for every pending removal, so none is forgotten. A container's uid lease ends
 * only once it is gone: one left to the reaper keeps its uid until the lease lapses.
 */
@Injectable()
export class ContainerDisposer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ContainerDisposer.name);
  private readonly pending = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly uids: SandboxUids,
    private readonly runtime: ContainerRuntime,
  ) {}

  /** Removes it in the background, after `afterMs` (the engine's work then waits until a result is on its way). */
  dispose(container: AttachedContainer, owner: string, afterMs = 0): void {
    void this.removeNow(container, owner, afterMs);
  }

  /** The same removal, for a caller that must know when the container is gone (a session being deleted). */
  removeNow(container: AttachedContainer, owner: string, afterMs = 0): Promise<void> {
    const removal = sleep(afterMs)
      .then(() => this.removeWithRetries(container, owner))
      .finally(() => this.pending.delete(removal));
    this.pending.add(removal);
    return removal;
  }

  /**
   * For a spec whose container never started: there is nothing to remove, and its uid goes back,
   * unless the engine may have made the container after all (then the lease lapses with its deadline).
   */
  abandon(spec: ContainerCreateOptions, failure: unknown): void {
    if (!(failure instanceof ContainerMayExistError)) this.uids.release(spec.Labels);
  }

  /**
   * At shutdown, after every job and session has ended: whatever this worker's
   * containers are still there (one whose create lost its answer in an engine
   * outage, and so was never known) goes too, so a stopped worker leaves nothing.
   */
  async removeLeftovers(workerId: string, deployment: string): Promise<void> {
    const all = await this.runtime.listManaged();
    const mine = all.filter(
      ({ labels }) => labels[SANDBOX_LABELS.worker] === workerId && labels[SANDBOX_LABELS.deployment] === deployment,
    );
    await Promise.all(
      mine.map(async ({ id, labels }) => {
        await this.runtime.removeContainer(id);
        this.uids.release(labels);
      }),
    );
    if (mine.length) this.logger.log(`removed ${mine.length} container(s) this worker left behind`);
  }

  /** A brief engine hiccup should not leave a container behind; a long outage is the reaper's. */
  private async removeWithRetries(container: AttachedContainer, owner: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await container.remove();
        return this.uids.release(container.labels);
      } catch (error) {
        if (attempt >= REMOVE_ATTEMPTS || this.stopping) {
          this.logger.error(
            `${owner}: could not remove container ${container.id}, leaving it to the reaper: ${String(error)}`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** attempt)));
      }
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Runs after every module's destroy hook, so removals queued during shutdown are awaited too. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true; // no more retries: what is still failing now goes to the reaper
    const bounded = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref());
    await Promise.race([Promise.allSettled([...this.pending]), bounded]);
  }
}
