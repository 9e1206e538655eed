import type { JobState } from 'bullmq';
import type {
  ExecutionHistoryEntry,
  ExecutionJobData,
  ExecutionResult,
  ExecutionStatus,
  ExecutionSummary,
  RunOutput,
  WebhookDelivery,
} from './execution.types';
import type { ExecutionJob } from './queue.contracts';

/** What a result says about the job itself: known from its data alone, in every state. */
export interface ExecutionIdentity {
  id: string;
  createdAt: string;
  environment: string;
  /** The job's webhook, when it has one. */
  webhookUrl?: string;
}

/** A webhook no try has been made for yet. */
export const PENDING_DELIVERY: Readonly<WebhookDelivery> = Object.freeze({
  status: 'pending',
  attempts: 0,
  lastError: null,
  deliveredAt: null,
});

/** What running the job produced: everything in a result but the identity. */
export type RunReport = Omit<ExecutionResult, 'id' | 'createdAt' | 'environment'>;

/**
 * A final report as it is stored: its output's bytes are kept beside it
 * (RunOutput), and its files are listed here by path and size only.
 */
export type StoredReport = Omit<RunReport, 'stdout' | 'stderr' | 'files'> & { files: { path: string; size: number }[] };

/**
 * Every state an execution can be in, with what is known in it:
 * - queued: accepted, waiting for a worker;
 * - running: a worker holds it, since `startedAt` when known;
 * - cancelled: cancelled before anything ran (removed from the queue by the API, or refused by the worker that took it);
 * - failed: the service gave up on it, and `error` says why in words written for the caller;
 * - ran: a worker ran it, and its report holds the final status.
 */
export type ExecutionState =
  | { kind: 'queued' }
  | { kind: 'running'; startedAt: string | null }
  | { kind: 'cancelled'; finishedAt: string; workerId: string | null }
  | { kind: 'failed'; error: string; finishedAt: string | null }
  | { kind: 'ran'; run: RunReport };

const nothingRan = (status: ExecutionStatus): RunReport => ({
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
  reproducibility: null,
});

export const reportOf = (state: ExecutionState): RunReport => {
  switch (state.kind) {
    case 'queued':
      return nothingRan('queued');
    case 'running':
      return { ...nothingRan('running'), startedAt: state.startedAt };
    case 'cancelled':
      return { ...nothingRan('cancelled'), finishedAt: state.finishedAt, workerId: state.workerId };
    case 'failed':
      return { ...nothingRan('error'), finishedAt: state.finishedAt, error: state.error };
    case 'ran':
      return state.run;
  }
};

/** The one place an ExecutionResult is put together, whatever state the execution is in. */
export const executionResult = (
  { id, createdAt, environment, webhookUrl }: ExecutionIdentity,
  state: ExecutionState,
  delivery: WebhookDelivery | null = null,
): ExecutionResult => {
  const run = reportOf(state);
  // Field by field: nothing else a stored report may carry reaches the caller.
  const result: ExecutionResult = {
    id,
    createdAt,
    status: run.status,
    exitCode: run.exitCode,
    signal: run.signal,
    stdout: run.stdout,
    stderr: run.stderr,
    stdoutTruncated: run.stdoutTruncated,
    stderrTruncated: run.stderrTruncated,
    files: run.files,
    filesTruncated: run.filesTruncated,
    usage: run.usage,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    workerId: run.workerId,
    environment,
    // Reports stored before the stamp existed have none.
    reproducibility: run.reproducibility ?? null,
  };
  if (run.error !== undefined) result.error = run.error;
  if (run.result !== undefined) result.result = run.result;
  if (run.displays !== undefined) {
    result.displays = run.displays;
    result.displaysTruncated = run.displaysTruncated === true;
  }
  if (webhookUrl !== undefined) {
    const { status, attempts, lastError, deliveredAt } = delivery ?? PENDING_DELIVERY;
    result.webhook = { url: webhookUrl, status, attempts, lastError, deliveredAt };
  }
  return result;
};

/** What a history list shows of a result: no output, and no field that is not known yet. */
export const historyEntryOf = (result: ExecutionResult): ExecutionHistoryEntry => {
  const entry: ExecutionHistoryEntry = {
    id: result.id,
    status: result.status,
    environment: result.environment,
    createdAt: result.createdAt,
  };
  if (result.startedAt) entry.startedAt = result.startedAt;
  if (result.finishedAt) entry.finishedAt = result.finishedAt;
  if (result.exitCode !== null) entry.exitCode = result.exitCode;
  if (result.startedAt && result.finishedAt) {
    entry.durationMs = Math.max(0, Date.parse(result.finishedAt) - Date.parse(result.startedAt));
  }
  return entry;
};

export const identityOf = (
  id: string,
  data: Pick<ExecutionJobData, 'createdAt' | 'environment' | 'webhook'>,
): ExecutionIdentity => {
  const identity: ExecutionIdentity = { id, createdAt: data.createdAt, environment: data.environment };
  if (data.webhook) identity.webhookUrl = data.webhook.url;
  return identity;
};

/** BullMQ says a job stalled when the worker holding it stopped renewing its lock: it died. */
export const publicFailure = (reason: string | undefined): string =>
  reason && /stalled/i.test(reason) ? 'worker lost' : reason || 'the job failed in the service';

const isoTime = (epochMs: number | undefined): string | null => (epochMs ? new Date(epochMs).toISOString() : null);

/** The stored form of a final state that produced no output: cancelled before it ran, or failed in the service. */
export const storedReportOf = (state: ExecutionState): StoredReport => {
  const { stdout: _stdout, stderr: _stderr, files: _files, ...rest } = reportOf(state);
  return { ...rest, files: [] };
};

/** A stored report joined with its bytes again; invalid UTF-8 in stdout and stderr becomes U+FFFD. */
export const withOutput = (report: StoredReport, output: RunOutput): RunReport => {
  const contents = new Map(output.files.map((file) => [file.path, file.content]));
  return {
    ...report,
    stdout: output.stdout.toString('utf8'),
    stderr: output.stderr.toString('utf8'),
    files: report.files.map(({ path, size }) => ({
      path,
      size,
      content: (contents.get(path) ?? Buffer.alloc(0)).toString('base64'),
    })),
  };
};

/** What BullMQ keeps of a finished job: no byte its owner chose. */
export const summaryOf = (report: StoredReport, output: RunOutput): ExecutionSummary => ({
  status: report.status,
  exitCode: report.exitCode,
  signal: report.signal,
  stdoutBytes: output.stdout.length,
  stderrBytes: output.stderr.length,
  fileCount: output.files.length,
  fileBytes: output.files.reduce((sum, file) => sum + file.content.length, 0),
  usage: report.usage,
  startedAt: report.startedAt,
  finishedAt: report.finishedAt,
});

/**
 * The result of a job BullMQ still holds, in `state`: queued, running, or
 * failed before its final record was written. A finished job's result lives
 * in the ExecutionStore, so a completed job here has none (null).
 */
export const resultOfPendingJob = (job: ExecutionJob, state: JobState | 'unknown'): ExecutionResult | null => {
  const identity = identityOf(job.id!, job.data);
  if (state === 'completed') return null;
  if (state === 'failed') {
    return executionResult(identity, {
      kind: 'failed',
      error: publicFailure(job.failedReason),
      finishedAt: isoTime(job.finishedOn),
    });
  }
  if (state === 'active') return executionResult(identity, { kind: 'running', startedAt: isoTime(job.processedOn) });
  return executionResult(identity, { kind: 'queued' });
};
