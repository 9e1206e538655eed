import type { CellRequest, Display, ExecutionStatus, RunRequest, RunResult } from './api.types';

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

/** What to run: a job in a container of its own, or a cell in a session's interpreter. */
export type RunTarget =
  { kind: 'job'; request: RunRequest } | { kind: 'cell'; sessionId: string; request: CellRequest };

/**
 * Where a target's executions are created (POST) and read back (`/<id>`, and
 * `/<id>/events` for the stream): the one place the page spells those paths.
 */
export const executionsPath = (target: RunTarget): string =>
  target.kind === 'job' ? '/v1/executions' : `/v1/sessions/${encodeURIComponent(target.sessionId)}/executions`;

/**
 * How a run reaches the API and how its output comes back: the only part of
 * the page that knows. Rejects with an ApiError when the API refuses the run
 * or cannot be reached.
 */
export interface RunTransport {
  run(target: RunTarget, events: RunEvents, signal?: AbortSignal): Promise<void>;
}
