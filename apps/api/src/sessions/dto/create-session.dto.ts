import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { SESSION_TIMES, SessionTimes } from '@sps/config';
import { ENVIRONMENT_NAME } from '@sps/environments';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsObject, IsOptional, IsString, Matches, Min, ValidateNested } from 'class-validator';
import { InputFileDto } from '../../executions/dto/create-execution.dto';
import { LimitsDto } from '../../validation/limits.dto';

/** A session time's type, lower bound and documentation, from SESSION_TIMES; its maximum is the server's, checked by SessionRequestPolicy. */
const SessionTimeField = (name: keyof SessionTimes): PropertyDecorator => {
  const time = SESSION_TIMES[name];
  return applyDecorators(
    IsInt(),
    Min(time.min),
    IsOptional(),
    ApiPropertyOptional({
      example: time.default,
      description: `${time.description} Default and maximum: the server's.`,
    }),
  );
};

export class CreateSessionDto {
  @ApiPropertyOptional({ example: 'datascience', default: 'default' })
  @IsOptional()
  @IsString()
  @Matches(ENVIRONMENT_NAME, { message: 'environment must match [a-z0-9][a-z0-9-]{0,62}' })
  environment?: string;

  @ApiPropertyOptional({
    type: LimitsDto,
    description:
      "As for a job: memory, CPUs and processes of the session's container, the output cap of each cell, and timeoutMs, the time limit of a cell that sets none. Each within the key's maxima.",
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LimitsDto)
  limits?: LimitsDto;

  @SessionTimeField('idleTimeoutSeconds')
  idleTimeoutSeconds?: number;

  @SessionTimeField('maxLifetimeSeconds')
  maxLifetimeSeconds?: number;

  @ApiPropertyOptional({ type: [InputFileDto], description: 'Written to the working directory before the first cell.' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => InputFileDto)
  files?: InputFileDto[];
}
