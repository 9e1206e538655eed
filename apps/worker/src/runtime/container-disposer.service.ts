import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { AttachedContainer } from '@sps/sandbox';
import type { ContainerCreateOptions } from 'dockerode';
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

  constructor(private readonly uids: SandboxUids) {}

  dispose(container: AttachedContainer, owner: string): void {
    void this.removeNow(container, owner);
  }

  /** The same removal, for a caller that must know when the container is gone (a session being deleted). */
  removeNow(container: AttachedContainer, owner: string): Promise<void> {
    const removal = this.removeWithRetries(container, owner).finally(() => this.pending.delete(removal));
    this.pending.add(removal);
    return removal;
  }

  /** For a spec whose container never started (the engine refused it): there is nothing to remove, but its uid goes back. */
  abandon(spec: ContainerCreateOptions): void {
    this.uids.release(spec.Labels);
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
