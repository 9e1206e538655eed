export {
  SandboxClient,
  type SandboxClientOptions,
  type RunOptions,
  type SubmitOptions,
  type OutputCallbacks,
  type CreateSessionOptions,
  type IdempotencyOptions,
  type Submission,
  type BatchSubmission,
  type HistoryQuery,
} from './sandbox.client';
export { Session, type CellOptions } from './session.api';
export { SessionFilesApi, type FileContent } from './session-files.api';
export { EnvironmentsApi, type BuildLogEvent, type FollowOptions } from './environments.api';
export { KeysApi } from './keys.api';
export type { CallOptions } from './api-call';
export * from './api-types';
export {
  SandboxError,
  ValidationFailed,
  Unauthorized,
  Forbidden,
  NotFound,
  Conflict,
  IdempotencyConflict,
  SessionGone,
  QuotaExceeded,
  ServiceUnavailable,
  Unreachable,
  parseRetryAfter,
  type ErrorBody,
  type EndedSessionStatus,
} from './client.errors';
export { readEventStream, type ServerSentEvent } from './event-stream.reader';
export type { ExecutionEvent, StreamOptions } from './execution-events.reader';
export type { paths, components, operations } from './generated/openapi';
