import type { SandboxLimits } from '@sps/config';

export const EXECUTION_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'timeout',
  'oom',
  'output_limit',
  'cancelled',
  'error',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const isFinalStatus = (status: ExecutionStatus): boolean => status !== 'queued' && status !== 'running';

/** An input file as it travels through the queue: the content is always base64 by now. */
export interface QueuedInputFile {
  path: string;
  data: string;
}

export interface ExecutionJobData {
  /** Id of the API key that created the execution: only that key can see, wait for or cancel it. */
  ownerKeyId: string;
  code: string;
  stdin: string;
  args: string[];
  files: QueuedInputFile[];
  /** Fully resolved: defaults filled in and maxima already enforced by the API. */
  limits: SandboxLimits;
  network: boolean;
  environment: string;
  createdAt: string;
  /** Where the final result is POSTed; checked against the SSRF rules when submitted and again when sent. */
  webhook?: { url: string };
}

export interface OutputFile {
  path: string;
  size: number;
  content: string;
}

/** What a run wrote, as bytes: stored as they came, never escaped into JSON. */
export interface RunOutput {
  stdout: Buffer;
  stderr: Buffer;
  files: { path: string; content: Buffer }[];
}

/** The output of an execution that ran nothing. */
export const NO_OUTPUT: Readonly<RunOutput> = Object.freeze({
  stdout: Buffer.alloc(0),
  stderr: Buffer.alloc(0),
  files: [],
});

/** Something the code showed rather than printed: `data` is base64 for images (but SVG), text for anything else. */
export interface Display {
  mime: string;
  data: string;
}

/** The value of a session cell's last expression, as Jupyter's execute_result has it: its repr, and HTML when the object has some. */
export interface ExecutionValue {
  'text/plain': string;
  'text/html'?: string;
}

export interface ExecutionUsage {
  wallMs: number;
  cpuMs: number;
  peakMemoryBytes: number;
}

/**
 * Which bits a job ran in, so that a caller can tell two runs in the same image
 * from two runs that merely share an environment's name.
 */
export interface ReproducibilityStamp {
  /** The environment version's spec hash; null for `default`. */
  specHash: string | null;
  /**
   * The content digest of the image the job's container ran (`sha256:` of its config, the engine's
   * image id): the same on every host that pulled the same image, different for two builds of one spec.
   */
  digest: string;
  /** The content digest of the image that one was built on, when it says. */
  baseDigest: string | null;
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** How the delivery of a job's webhook stands: pending until the result is final and a receiver answered 2xx, or every try failed. */
export interface WebhookDelivery {
  status: WebhookDeliveryStatus;
  /** Tries made so far. */
  attempts: number;
  /** What went wrong with the latest failed try, in words; null before any failed. */
  lastError: string | null;
  deliveredAt: string | null;
}

/** The public result of an execution, in whatever state it is: built by executionResult() alone. */
export interface ExecutionResult {
  id: string;
  createdAt: string;
  status: ExecutionStatus;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  files: OutputFile[];
  filesTruncated: boolean;
  usage: ExecutionUsage | null;
  startedAt: string | null;
  finishedAt: string | null;
  workerId: string | null;
  /** The job's environment, also in a worker's stored result so that metrics can label a finished job without reading its input. */
  environment: string;
  /** Set once a worker has picked the image to run the job in; null before, and when nothing ran. */
  reproducibility: ReproducibilityStamp | null;
  /** Only for status "error": what went wrong in the service. */
  error?: string;
  /** Session cells only: the value of a trailing expression, or null when the cell has none. */
  result?: ExecutionValue | null;
  /** What the code showed: display() calls and the matplotlib figures left open, in order. */
  displays?: Display[];
  /** True when some displays were left out (their count or size went past the caps). */
  displaysTruncated?: boolean;
  /** Only for a job submitted with a webhook: where its result goes, and how that stands. */
  webhook?: WebhookDelivery & { url: string };
}

/** One entry of a key's history: what a list shows of an execution, never its output. */
export interface ExecutionHistoryEntry {
  id: string;
  status: ExecutionStatus;
  environment: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  durationMs?: number;
}

/**
 * A finished job's BullMQ return value, which BullMQ also copies into its
 * events stream: what happened and how big it was, never a byte the job's
 * owner chose (no output, no file names, no error text).
 */
export interface ExecutionSummary {
  status: ExecutionStatus;
  exitCode: number | null;
  signal: string | null;
  stdoutBytes: number;
  stderrBytes: number;
  fileCount: number;
  fileBytes: number;
  usage: ExecutionUsage | null;
  startedAt: string | null;
  finishedAt: string | null;
}
