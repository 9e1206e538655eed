import type { ExecutionStatus } from '@sps/queue';
import type { ContainerExit, RunnerExitRecord } from '@sps/sandbox';
import { constants } from 'node:os';

/** How the wait for a container's output came to an end. */
export type Ending = 'exited' | 'ended' | 'deadline' | 'output_limit' | 'cancelled' | 'protocol';

export interface ClassifyInput {
  ending: Ending;
  exit: RunnerExitRecord | null;
  container: ContainerExit | null;
}

export interface Classification {
  status: ExecutionStatus;
  exitCode: number | null;
  signal: string | null;
  error?: string;
}

const signalName = (exitCode: number | null): string | null => {
  if (exitCode === null || exitCode <= 128) return null;
  const number = exitCode - 128;
  const entry = Object.entries(constants.signals).find(([, value]) => value === number);
  return entry ? entry[0] : null;
};

/** Turns what happened to a container into the public status. Order matters: the first match wins. */
export const classifyOutcome = ({ ending, exit, container }: ClassifyInput): Classification => {
  if (ending === 'cancelled') return { status: 'cancelled', exitCode: null, signal: 'SIGKILL' };
  if (ending === 'deadline') return { status: 'timeout', exitCode: null, signal: 'SIGKILL' };
  if (ending === 'output_limit') return { status: 'output_limit', exitCode: null, signal: 'SIGKILL' };
  if (ending === 'protocol') return { status: 'failed', exitCode: null, signal: 'SIGKILL' };
  if (exit) {
    if (exit.error)
      return { status: 'error', exitCode: null, signal: null, error: 'the sandbox runner could not start the program' };
    const base = { exitCode: exit.exitCode, signal: exit.signal };
    if (exit.timedOut) return { status: 'timeout', ...base };
    if (exit.outputLimit) return { status: 'output_limit', ...base };
    const crashed = exit.exitCode !== 0;
    if (crashed && (exit.oomKilled || container?.oomKilled)) return { status: 'oom', ...base };
    return { status: crashed ? 'failed' : 'succeeded', ...base };
  }
  // No exit record: the runner itself died, killed by the OOM killer or by the user's code.
  const exitCode = container?.exitCode ?? null;
  if (container?.oomKilled) return { status: 'oom', exitCode, signal: signalName(exitCode) };
  return { status: 'failed', exitCode, signal: signalName(exitCode) };
};
