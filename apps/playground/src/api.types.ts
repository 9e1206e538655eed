import type { SandboxLimits } from '@sps/config';
import type {
  Display,
  ExecutionHistoryEntry,
  ExecutionResult,
  ExecutionStatus,
  ExecutionValue,
  OutputFile,
  SessionStatus,
  SessionView,
} from '@sps/queue';

// Type-only imports: the bundle gets none of the server's code, only its shapes checked.
export type {
  Display,
  ExecutionHistoryEntry,
  ExecutionStatus,
  ExecutionValue,
  OutputFile,
  SandboxLimits,
  SessionStatus,
  SessionView,
};

/** A result as the page reads it; `displays` is optional, since results of older workers lack it. */
export type RunResult = ExecutionResult;

/** GET /v1/executions: a page of the key's history, newest first. */
export interface HistoryPage {
  items: ExecutionHistoryEntry[];
  nextCursor: string | null;
}

/** GET /v1/limits: the calling key's defaults and maxima. */
export interface ServerLimits {
  defaults: SandboxLimits;
  max: SandboxLimits;
  request: {
    codeBytes: number;
    stdinBytes: number;
    args: number;
    argBytes: number;
    inputFiles: number;
    inputFileBytes: number;
  };
}

/** An entry of GET /v1/environments, as far as the page uses it. */
export interface EnvironmentSummary {
  name: string;
  status: string;
  error: string | null;
}

export interface InputFile {
  path: string;
  content: string;
  encoding: 'base64';
}

/** The body of POST /v1/executions. */
export interface RunRequest {
  code: string;
  environment: string;
  stdin?: string;
  args?: string[];
  files?: InputFile[];
  limits?: Partial<SandboxLimits>;
}

/** The body of POST /v1/sessions, as far as the page sends it. */
export interface SessionRequest {
  environment: string;
  files?: InputFile[];
  limits?: Partial<SandboxLimits>;
}

/** The body of POST /v1/sessions/:id/executions. */
export interface CellRequest {
  code: string;
  stdin?: string;
  timeoutMs?: number;
}

/** As the server decides it (isOpenSession in libs/queue, which the bundle cannot import). */
export const isOpenSession = (status: SessionStatus): boolean =>
  status === 'starting' || status === 'ready' || status === 'busy';

/** As the server decides it (isFinalStatus in libs/queue, which the bundle cannot import without its Node dependencies). */
export const isFinal = (status: ExecutionStatus): boolean => status !== 'queued' && status !== 'running';
