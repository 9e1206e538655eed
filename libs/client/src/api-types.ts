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
export type EnvironmentSpec = Schemas['CreateEnvironmentDto'];
export type EnvironmentAccepted = Schemas['EnvironmentAcceptedDto'];
export type Environment = Schemas['EnvironmentDto'];
export type EnvironmentDetail = Schemas['EnvironmentDetailDto'];
export type ApiKeyRequest = Schemas['CreateApiKeyDto'];
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
