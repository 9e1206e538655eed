import { Injectable } from '@nestjs/common';
import type { Frame } from '@sps/sandbox';

export type OutputListener = (executionId: string, frame: Frame) => void;

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

  forward(executionId: string, frame: Frame): void {
    if (!OUTPUT_FRAMES.has(frame.type)) return;
    for (const listener of this.listeners) listener(executionId, frame);
  }
}

const OUTPUT_FRAMES = new Set<Frame['type']>(['O', 'E', 'D', 'V']);
