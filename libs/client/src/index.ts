export { SandboxClient, type SandboxClientOptions, type RunOptions } from './sandbox.client';
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
  QuotaExceeded,
  ServiceUnavailable,
  Unreachable,
  parseRetryAfter,
  type ErrorBody,
} from './client.errors';
export { readEventStream, type ServerSentEvent } from './event-stream.reader';
export type { paths, components, operations } from './generated/openapi';
