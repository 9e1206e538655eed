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

/** Where executions live: the key's jobs, or one session's cells. */
export type ExecutionsPlace = { kind: 'job' } | { kind: 'cell'; sessionId: string };

/**
 * Where a target's executions are created (POST), listed (the key's jobs) and
 * read back (`/<id>`, and `/<id>/events` for the stream): the one place the
 * page spells those paths.
 */
export const executionsPath = (place: ExecutionsPlace): string =>
  place.kind === 'job' ? '/v1/executions' : `/v1/sessions/${encodeURIComponent(place.sessionId)}/executions`;

export const executionPath = (place: ExecutionsPlace, id: string): string =>
  `${executionsPath(place)}/${encodeURIComponent(id)}`;

/** How much of a run's output and displays its events have given so far. */
export interface Given {
  stdoutChars: number;
  stderrChars: number;
  displays: number;
}

/**
 * A final result told as the events a stream gives: the output and displays
 * not `given` yet (all of them for a result that arrived whole, from a wait
 * or the history), then the result itself.
 */
export const replayResult = (
  result: RunResult,
  events: RunEvents,
  given: Given = { stdoutChars: 0, stderrChars: 0, displays: 0 },
): void => {
  if (result.stdout.length > given.stdoutChars) events.stdout(result.stdout.slice(given.stdoutChars));
  if (result.stderr.length > given.stderrChars) events.stderr(result.stderr.slice(given.stderrChars));
  for (const display of (result.displays ?? []).slice(given.displays)) events.display(display);
  events.result(result);
};

/**
 * How a run reaches the API and how its output comes back: the only part of
 * the page that knows. Rejects with an ApiError when the API refuses the run
 * or cannot be reached.
 */
export interface RunTransport {
  run(target: RunTarget, events: RunEvents, signal?: AbortSignal): Promise<void>;
}
