import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { AttachedContainer } from '@sps/sandbox';

/**
 * Removes used containers off the result's critical path: a job's result is
 * recorded first, its container is force-removed right after. Shutdown waits
 * for every pending removal, so none is forgotten.
 */
@Injectable()
export class ContainerDisposer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ContainerDisposer.name);
  private readonly pending = new Set<Promise<void>>();

  dispose(container: AttachedContainer, owner: string): void {
    const removal = container
      .remove()
      .catch((error) => this.logger.error(`${owner}: could not remove container ${container.id}: ${error}`))
      .finally(() => this.pending.delete(removal));
    this.pending.add(removal);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Runs after every module's destroy hook, so removals queued during shutdown are awaited too. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
