import type { JobState } from 'bullmq';
import type { ExecutionJob } from './execution.queue';
import type { ExecutionJobData, ExecutionOutcome, ExecutionResult, ExecutionStatus } from './execution.types';

/** An outcome with nothing run: no output, no usage, no times. */
export const emptyOutcome = (status: ExecutionStatus, environment: string): ExecutionOutcome => ({
  status,
  exitCode: null,
  signal: null,
  stdout: '',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  files: [],
  filesTruncated: false,
  usage: null,
  startedAt: null,
  finishedAt: null,
  workerId: null,
  environment,
});

/** The result of a job nobody has run yet. */
export const queuedResult = (id: string, data: ExecutionJobData): ExecutionResult => ({
  id,
  createdAt: data.createdAt,
  ...emptyOutcome('queued', data.environment),
});

const pendingResult = (job: ExecutionJob, status: ExecutionStatus): ExecutionResult => ({
  ...queuedResult(job.id!, job.data),
  status,
  startedAt: status === 'running' && job.processedOn ? new Date(job.processedOn).toISOString() : null,
});

/** BullMQ says a job stalled when the worker holding it stopped renewing its lock: it died. */
const publicFailure = (reason: string | undefined): string =>
  reason && /stalled/i.test(reason) ? 'worker lost' : reason || 'the job failed in the service';

/** Maps a BullMQ job and its state onto the public result object. */
export const toExecutionResult = (job: ExecutionJob, state: JobState | 'unknown'): ExecutionResult => {
  if (state === 'completed' && job.returnvalue) {
    return { id: job.id!, createdAt: job.data.createdAt, ...job.returnvalue, environment: job.data.environment };
  }
  if (state === 'failed') {
    return {
      ...pendingResult(job, 'error'),
      finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      error: publicFailure(job.failedReason),
    };
  }
  return pendingResult(job, state === 'active' ? 'running' : 'queued');
};
