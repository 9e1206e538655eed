import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { EnvironmentBuildProcessor } from '../environment-build/environment-build.processor';
import { ExecutionProcessor } from '../execution/execution.processor';
import { CancellationService } from '../runtime/cancellation.service';
import { ContainerDisposer } from '../runtime/container-disposer.service';
import { SessionHost } from '../session/session-host.service';
import { SessionOpsProcessor } from '../session/session-ops.processor';

/**
 * A graceful stop, run before Nest closes any module: take no new jobs, let
 * running ones finish within the grace period, then kill the rest, whose jobs go
 * back to the queue with their attempts untouched. Redis and Docker stay up
 * throughout, since the running jobs need both.
 */
@Injectable()
export class WorkerShutdownService {
  private readonly logger = new Logger(WorkerShutdownService.name);
  private readonly graceMs: number;
  private readonly workerId: string;
  private readonly deployment: string;

  constructor(
    private readonly processor: ExecutionProcessor,
    private readonly cancellations: CancellationService,
    private readonly builds: EnvironmentBuildProcessor,
    private readonly sessionOps: SessionOpsProcessor,
    private readonly sessions: SessionHost,
    private readonly disposer: ContainerDisposer,
    config: ConfigService<AppConfig, true>,
  ) {
    this.graceMs = config.get('worker.shutdownGraceMs', { infer: true });
    this.workerId = config.get('worker.id', { infer: true });
    this.deployment = config.get('redis.prefix', { infer: true });
  }

  async drain(signal: string): Promise<void> {
    const running = this.cancellations.busy;
    this.logger.log(`${signal}: taking no new jobs; ${running} running, allowed ${this.graceMs} ms to finish`);
    const closed = this.processor.stopTaking();
    // Cells running now finish within the same grace; then every session is closed, "worker shut down".
    const sessionsClosed = this.sessionOps.stopTaking().then(() => this.sessions.drain(Date.now() + this.graceMs));
    // A running image build is interrupted at once and handed back to the queue.
    const buildsStopped = this.builds.stopTaking();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>(
      (resolve) => (timer = setTimeout(() => resolve('grace over'), this.graceMs)),
    );
    const first = await Promise.race([closed.then(() => 'finished' as const), graceOver]);
    clearTimeout(timer);
    if (first === 'grace over') {
      const interrupted = this.cancellations.interruptAll('the worker is shutting down');
      this.logger.warn(`grace period over: killed ${interrupted} job(s); they go back to the queue`);
      await closed;
    }
    await buildsStopped;
    await sessionsClosed;
    this.logger.log('no jobs left running, no session left open');
    await this.disposer
      .removeLeftovers(this.workerId, this.deployment)
      .catch((error: Error) => this.logger.warn(`could not remove what this worker left behind: ${error.message}`));
  }
}
