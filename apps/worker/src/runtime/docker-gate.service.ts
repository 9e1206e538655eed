import { Injectable, Logger } from '@nestjs/common';
import { ContainerRuntime, EngineStatus } from '@sps/sandbox';

type Listener = (up: boolean) => void;

/**
 * What this worker last knew about its Docker engine. Without Docker a worker
 * can only fail jobs, so it stops taking them (the processor listens here) and
 * starts again once Docker answers; the heartbeat reports the same state.
 */
@Injectable()
export class DockerGate {
  private readonly logger = new Logger(DockerGate.name);
  private readonly listeners = new Set<Listener>();
  private status: EngineStatus = { up: true, version: null };

  constructor(private readonly runtime: ContainerRuntime) {}

  get up(): boolean {
    return this.status.up;
  }

  /** Asks the engine now and tells listeners when the answer changed. */
  async check(): Promise<EngineStatus> {
    const status = await this.runtime.ping();
    const changed = status.up !== this.status.up;
    this.status = status;
    if (changed) {
      if (status.up) this.logger.log(`Docker is back (engine ${status.version}): taking jobs again`);
      else this.logger.warn('Docker is unreachable: taking no jobs until it is back');
      for (const listener of this.listeners) listener(status.up);
    }
    return status;
  }

  onChange(listener: Listener): void {
    this.listeners.add(listener);
  }
}
