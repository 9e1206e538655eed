import type { SandboxLimits } from '@sps/config';
import type { QueuedInputFile } from './execution.types';

/**
 * - starting: its container is being started;
 * - ready: waiting for a cell; busy: running one;
 * - closed: deleted, expired (idle or at its lifetime), or closed by its worker shutting down;
 * - dead: its interpreter died (the cell that killed it says why);
 * - lost: its worker disappeared.
 */
export const SESSION_STATUSES = ['starting', 'ready', 'busy', 'closed', 'dead', 'lost'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const OPEN_SESSION_STATUSES: readonly SessionStatus[] = ['starting', 'ready', 'busy'];
export const isOpenSession = (status: SessionStatus): boolean => OPEN_SESSION_STATUSES.includes(status);

/** A session as Redis holds it: the one record the API and the owning worker both read and change. */
export interface SessionRecord {
  id: string;
  /** Only this key can see and use the session. */
  ownerKeyId: string;
  /** The worker that holds the container: every request for the session goes to its queue. */
  workerId: string;
  environment: string;
  status: SessionStatus;
  /** Why a session is closed, dead or lost. */
  reason: string | null;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  idleExpiresAt: string;
  idleTimeoutSeconds: number;
  maxLifetimeSeconds: number;
  executionCount: number;
  /** The container's memory use at its last report (after each cell, and now and then while idle). */
  memoryBytes: number | null;
  /** Memory, CPUs, processes and output as for a job; timeoutMs is a cell's default time limit. */
  limits: SandboxLimits;
  containerId: string | null;
  /** Cells queued or running. */
  pending: number;
  endedAt: string | null;
  /** When the worker removed the container of the ended session. */
  containerRemovedAt: string | null;
}

/** What the API shows of a session: its record, less what only the service needs. */
export type SessionView = Omit<SessionRecord, 'ownerKeyId' | 'containerId' | 'pending' | 'containerRemovedAt'>;

/** The one place a session's public shape is put together. */
export const sessionView = (record: SessionRecord): SessionView => ({
  id: record.id,
  status: record.status,
  reason: record.reason,
  environment: record.environment,
  workerId: record.workerId,
  createdAt: record.createdAt,
  lastUsedAt: record.lastUsedAt,
  expiresAt: record.expiresAt,
  idleExpiresAt: record.idleExpiresAt,
  idleTimeoutSeconds: record.idleTimeoutSeconds,
  maxLifetimeSeconds: record.maxLifetimeSeconds,
  executionCount: record.executionCount,
  memoryBytes: record.memoryBytes,
  limits: record.limits,
  endedAt: record.endedAt,
});

/** The epoch ms at which a session expires next, whichever comes first: idle or lifetime. */
export const nextExpiry = (record: Pick<SessionRecord, 'idleExpiresAt' | 'expiresAt'>): number =>
  Math.min(Date.parse(record.idleExpiresAt), Date.parse(record.expiresAt));

/** What an API replica asks the worker holding a session, through that worker's own queue. */
export type SessionOp =
  | {
      kind: 'start';
      sessionId: string;
      environment: string;
      limits: SandboxLimits;
      files: QueuedInputFile[];
      createdAt: string;
      expiresAt: string;
      idleTimeoutSeconds: number;
    }
  | {
      kind: 'cell';
      sessionId: string;
      executionId: string;
      ownerKeyId: string;
      createdAt: string;
      code: string;
      stdin: string;
      timeoutMs: number;
    }
  | { kind: 'put'; sessionId: string; requestId: string; path: string; data: string }
  | { kind: 'get'; sessionId: string; requestId: string; path: string }
  | { kind: 'list'; sessionId: string; requestId: string }
  | { kind: 'close'; sessionId: string; reason: string };

export type SessionFileOp = Extract<SessionOp, { kind: 'put' | 'get' | 'list' }>;

/** The queue of one worker's session requests: only that worker consumes it. */
export const sessionQueueName = (workerId: string): string => `sessions-${workerId}`;
