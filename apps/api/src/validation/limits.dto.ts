import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { SANDBOX_LIMITS, SandboxLimits } from '@sps/config';
import { IsInt, IsNumber, IsOptional, Min } from 'class-validator';

/** How a limit is shown in the API documentation, wherever one appears. */
export const limitDoc = (name: keyof SandboxLimits): { example: number; description?: string } => {
  const { default: example, description } = SANDBOX_LIMITS[name];
  return description ? { example, description } : { example };
};

/** A limit's type and lower bound, from SANDBOX_LIMITS: the server's own settings are checked against the same. */
const LimitField = (name: keyof SandboxLimits): PropertyDecorator => {
  const limit = SANDBOX_LIMITS[name];
  return applyDecorators(
    Min(limit.min),
    limit.integer ? IsInt() : IsNumber({ allowNaN: false, allowInfinity: false }),
    IsOptional(),
    ApiPropertyOptional(limitDoc(name)),
  );
};

/**
 * The limits of a job, or the highest a key may ask for. Every field is
 * optional: a job's missing ones take the server's defaults, and values above
 * the maxima are refused by the checks that know them (ExecutionRequestPolicy, ApiKeysService).
 */
export class LimitsDto implements Partial<SandboxLimits> {
  @LimitField('timeoutMs')
  timeoutMs?: number;

  @LimitField('memoryMb')
  memoryMb?: number;

  @LimitField('cpus')
  cpus?: number;

  @LimitField('pids')
  pids?: number;

  @LimitField('outputBytes')
  outputBytes?: number;
}
