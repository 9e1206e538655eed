import { Injectable } from '@nestjs/common';
import type { Frame } from '@sps/sandbox';

/** Someone who follows running executions' output: told when each starts and ends, and given its frames between. */
export interface OutputListener {
  /** A job attempt or a session cell starts running on this worker, under its output cap. */
  started?(executionId: string, outputBytes: number): void;
  frame(executionId: string, frame: Frame): void;
  /**
   * It ended. Whatever the listener still writes to Redis is sent before this
   * returns, on the process's one connection, so the result, written after it,
   * lands after it; the answer resolves once Redis has taken it all.
   */
  finished?(executionId: string): Promise<void>;
  /** Its result has been sent to Redis (on the process's one connection): what the listener kept of its output may go. */
  stored?(executionId: string): void;
}

/**
 * The one place a running execution's output passes through as it arrives:
 * the stdout, stderr, display and value frames of every job and session cell
 * this worker runs, in the order its container sent them, before they are
 * added up into the result. Whoever wants them live subscribes here.
 */
@Injectable()
export class ExecutionOutputTap {
  private readonly listeners = new Set<OutputListener>();

  /** Returns the function that ends the subscription. */
  subscribe(listener: OutputListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  started(executionId: string, outputBytes: number): void {
    for (const listener of this.listeners) listener.started?.(executionId, outputBytes);
  }

  forward(executionId: string, frame: Frame): void {
    if (!OUTPUT_FRAMES.has(frame.type)) return;
    for (const listener of this.listeners) listener.frame(executionId, frame);
  }

  /** Called once an execution's output is complete, before its result is written; harmless when repeated. */
  finished(executionId: string): Promise<void> {
    const pending = [...this.listeners].map((listener) => listener.finished?.(executionId) ?? Promise.resolve());
    return Promise.all(pending).then(() => undefined);
  }

  stored(executionId: string): void {
    for (const listener of this.listeners) listener.stored?.(executionId);
  }
}

const OUTPUT_FRAMES = new Set<Frame['type']>(['O', 'E', 'D', 'V']);
