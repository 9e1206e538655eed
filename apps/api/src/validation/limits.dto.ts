import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { SANDBOX_LIMITS, SandboxLimits } from '@sps/config';
import { IsInt, IsNumber, IsOptional, Min } from 'class-validator';

/** A limit's type and lower bound, from SANDBOX_LIMITS: the server's own settings are checked against the same. */
const LimitField = (name: keyof SandboxLimits): PropertyDecorator => {
  const limit = SANDBOX_LIMITS[name];
  return applyDecorators(
    Min(limit.min),
    limit.integer ? IsInt() : IsNumber({ allowNaN: false, allowInfinity: false }),
    IsOptional(),
    ApiPropertyOptional({ example: limit.default, ...(limit.description ? { description: limit.description } : {}) }),
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
