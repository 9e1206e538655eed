import type { ReproducibilityStamp, RunReport } from '@sps/queue';
import type { CellOutput, ContainerExit, RunnerExitRecord } from '@sps/sandbox';
import { classifyOutcome } from '../execution/outcome-classifier';

/**
 * How the wait for a cell ended: its record came (done); the worker's own
 * deadline passed first; the container's stream ended; or it sent something
 * unreadable, or more than the caps.
 */
export type CellEnding = 'done' | 'deadline' | 'ended' | 'protocol' | 'output_limit';

export interface CellFacts {
  executionId: string;
  ending: CellEnding;
  output: CellOutput;
  /** How the container ended, when its stream did. */
  container: ContainerExit | null;
  startedAt: Date;
  finishedAt: Date;
  workerId: string;
  /** What the session's container runs: the same for every cell. */
  reproducibility: ReproducibilityStamp | null;
}

/** A cell's report, and why its session died with it (null when the session goes on). */
export interface CellReport {
  run: RunReport;
  death: string | null;
}

/** Why the interpreter of a session is gone, from the record of how it ended. */
export const interpreterDeath = (exit: RunnerExitRecord, where = ''): string => {
  if (exit.oomKilled) return `the interpreter ran out of memory (oom)${where}`;
  if (exit.timedOut) return `the interpreter did not stop within a second of its time limit and was killed${where}`;
  if (exit.signal) return `the interpreter was killed by ${exit.signal}${where}`;
  return `the interpreter exited with code ${exit.exitCode ?? '?'}${where}`;
};

const SESSION_FAULTS: Record<Exclude<CellEnding, 'done' | 'ended'>, string> = {
  deadline: 'the session did not answer at its time limit and was killed',
  protocol: "the session's runner sent a stream the worker could not read",
  output_limit: "the session's runner sent more output than its cap",
};

/**
 * A cell's public report from what came back, classified as a job's would be
 * (timeout, oom, output_limit, failed, succeeded), with its value and displays.
 */
export const cellReport = ({
  executionId,
  ending,
  output,
  container,
  startedAt,
  finishedAt,
  workerId,
  reproducibility,
}: CellFacts): CellReport => {
  const record = output.record;
  const where = ` in execution ${executionId}`;
  let death: string | null;
  let classification;
  if (ending === 'done') {
    // 'done' means the record came.
    classification = classifyOutcome({ ending: 'exited', exit: record!, container: null });
    death = record!.kernelDied ? interpreterDeath(record!, where) : null;
  } else if (ending === 'ended') {
    classification = classifyOutcome({ ending: 'ended', exit: null, container });
    death = container?.oomKilled
      ? `the session's container ran out of memory (oom)${where}`
      : `the session's container stopped${where}`;
  } else {
    classification = classifyOutcome({ ending, exit: null, container });
    death = `${SESSION_FAULTS[ending]}${where}`;
  }
  let stderr = output.stderr.text();
  if (ending === 'protocol') stderr += '\n[sandbox] the cell corrupted the result stream\n';
  return {
    death,
    run: {
      ...classification,
      stdout: output.stdout.text(),
      stderr,
      stdoutTruncated: output.stdout.truncated || record?.stdoutTruncated === true,
      stderrTruncated: output.stderr.truncated || record?.stderrTruncated === true,
      files: [],
      filesTruncated: false,
      result: output.displays.value,
      displays: output.displays.displays,
      displaysTruncated: output.displays.truncated || record?.displaysTruncated === true,
      usage: {
        wallMs: record?.wallMs ?? finishedAt.getTime() - startedAt.getTime(),
        cpuMs: record?.cpuMs ?? 0,
        peakMemoryBytes: record?.peakMemoryBytes ?? 0,
      },
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      workerId,
      reproducibility,
    },
  };
};
