import type { Display, ExecutionStatus, RunRequest, RunResult } from './api.types';

/**
 * What the page hears about one run, in order. The names are those of the
 * execution events stream (`status`, `stdout`, `stderr`, `display`, `result`),
 * so a transport reading that stream passes its events straight through.
 */
export interface RunEvents {
  status(status: ExecutionStatus): void;
  stdout(text: string): void;
  stderr(text: string): void;
  display(display: Display): void;
  /** Exactly once, last: the final result. Its stdout, stderr and displays have already been given as events. */
  result(result: RunResult): void;
}

/**
 * How a run reaches the API and how its output comes back: the only part of
 * the page that knows. Rejects with an ApiError when the API refuses the run
 * or cannot be reached.
 */
export interface RunTransport {
  run(request: RunRequest, events: RunEvents, signal?: AbortSignal): Promise<void>;
}
