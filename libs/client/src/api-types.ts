import type { components } from './generated/openapi';

type Schemas = components['schemas'];

/** The shapes of the REST API, named as a caller thinks of them; all generated from the OpenAPI document. */
export type ExecutionRequest = Schemas['CreateExecutionDto'];
export type InputFile = Schemas['InputFileDto'];
export type Limits = Schemas['LimitsDto'];
export type ExecutionResult = Schemas['ExecutionResultDto'];
export type ExecutionStatus = ExecutionResult['status'];
export type OutputFile = Schemas['OutputFileDto'];
export type ExecutionAccepted = Schemas['ExecutionAcceptedDto'];
export type WebhookRequest = Schemas['WebhookDto'];
/** Where a job's result is POSTed, and how that stands (pending, delivered, failed). */
export type WebhookDelivery = Schemas['WebhookDeliveryDto'];
/** An execution in the history: id, status, environment and times, without its output. */
export type ExecutionSummary = Schemas['ExecutionHistoryEntryDto'];
/** One page of the history, newest first; `nextCursor` is null on the last. */
export interface HistoryPage {
  items: ExecutionSummary[];
  nextCursor: string | null;
}
/** A session cell's trailing value: `text/plain` always, `text/html` when the object has `_repr_html_`. */
export type ExecutionValue = Schemas['ExecutionValueDto'];
/** A display: `image/png` (a matplotlib figure, base64), `text/html`, `text/plain`... */
export type Display = Schemas['DisplayDto'];
export type ReproducibilityStamp = Schemas['ReproducibilityStampDto'];
export type EnvironmentSpec = Schemas['CreateEnvironmentDto'];
export type EnvironmentAccepted = Schemas['EnvironmentAcceptedDto'];
export type Environment = Schemas['EnvironmentDto'];
export type EnvironmentDetail = Schemas['EnvironmentDetailDto'];
export type SessionRequest = Schemas['CreateSessionDto'];
/** A session as the service reports it: status, times, cells run, memory use, limits. */
export type SessionInfo = Schemas['SessionDto'];
export type SessionStatus = SessionInfo['status'];
export type CellRequest = Schemas['CreateSessionExecutionDto'];
export type SessionFile = Schemas['SessionFileDto'];
export type SessionFileListing = Schemas['SessionFilesDto'];
export type ApiKeyRequest = Schemas['CreateApiKeyDto'];
/** A key's quotas: rates, counts and stored bytes, and `maxLimits`, the highest limits it may ask for. */
export type KeyQuotas = Schemas['KeyQuotasDto'];
export type ApiKey = Schemas['ApiKeyDto'];
export type CreatedApiKey = Schemas['CreatedApiKeyDto'];

/** The statuses after which an execution never changes again. */
export const FINAL_STATUSES: readonly ExecutionStatus[] = [
  'succeeded',
  'failed',
  'timeout',
  'oom',
  'output_limit',
  'cancelled',
  'error',
];

export const isFinal = (result: { status: string }): result is ExecutionResult =>
  (FINAL_STATUSES as readonly string[]).includes(result.status);
