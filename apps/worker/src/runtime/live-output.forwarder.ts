import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { ExecutionEvents } from '@sps/queue';
import type { Frame } from '@sps/sandbox';
import { ExecutionOutputTap, type OutputListener } from './execution-output.tap';
import { LiveOutputBatcher } from './live-output.batcher';

/**
 * Sends the output of every execution running on this worker to its event
 * stream in Redis as it arrives (see LiveOutputBatcher): first its `running`
 * status, then its output, and all of it before its result is stored, so a
 * follower that sees the result has seen everything before it. Once the
 * result is stored, the stream's copy of the output's bytes is dropped. One batcher
 * per execution running here, so as many as the worker runs at once.
 */
@Injectable()
export class LiveOutputForwarder implements OutputListener, OnModuleInit {
  private readonly logger = new Logger(LiveOutputForwarder.name);
  private readonly running = new Map<string, LiveOutputBatcher>();
  private readonly workerId: string;
  private readonly maxDisplays: number;

  constructor(
    private readonly tap: ExecutionOutputTap,
    private readonly events: ExecutionEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.workerId = config.get('worker.id', { infer: true });
    this.maxDisplays = config.get('sandbox.maxDisplays', { infer: true });
  }

  onModuleInit(): void {
    this.tap.subscribe(this);
  }

  started(executionId: string, outputBytes: number): void {
    const batcher = new LiveOutputBatcher(
      { outputBytes, maxDisplays: this.maxDisplays },
      (events) => this.events.append(executionId, events),
      // A batch lost here leaves a gap in the live output only: the result still has everything.
      (error) => this.logger.warn(`execution ${executionId}: live output not forwarded: ${error.message}`),
    );
    this.running.set(executionId, batcher);
    batcher.status({ status: 'running', workerId: this.workerId });
  }

  frame(executionId: string, frame: Frame): void {
    this.running.get(executionId)?.frame(frame);
  }

  stored(executionId: string): void {
    this.events
      .compact(executionId)
      .catch((error: Error) =>
        this.logger.warn(`execution ${executionId}: live output not compacted: ${error.message}`),
      );
  }

  async finished(executionId: string): Promise<void> {
    const batcher = this.running.get(executionId);
    if (!batcher) return;
    this.running.delete(executionId);
    await batcher.finish();
  }
}
