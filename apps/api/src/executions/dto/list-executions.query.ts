import { ApiPropertyOptional } from '@nestjs/swagger';
import { ENVIRONMENT_NAME } from '@sps/environments';
import { EXECUTION_STATUSES, type ExecutionStatus, isHistoryCursor } from '@sps/queue';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** GET /v1/executions: a page of the key's history, or with `ids`, those executions. */
export class ListExecutionsQueryDto {
  @ApiPropertyOptional({
    example: '0d7c4a0e-6f5e-4f43-9d57-1a2b3c4d5e6f,9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    description:
      'Comma-separated ids, at most MAX_BATCH: their full results, in this order, null for an unknown one or one of another key.',
  })
  @IsOptional()
  @IsString()
  ids?: string;

  @ApiPropertyOptional({ example: DEFAULT_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, maximum: MAX_PAGE_SIZE, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous page's nextCursor." })
  @IsOptional()
  @IsString()
  @ValidateBy({
    name: 'historyCursor',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isHistoryCursor(value),
      defaultMessage: () => 'cursor must be a nextCursor this API gave',
    },
  })
  cursor?: string;

  @ApiPropertyOptional({ enum: EXECUTION_STATUSES })
  @IsOptional()
  @IsIn(EXECUTION_STATUSES)
  status?: ExecutionStatus;

  @ApiPropertyOptional({ example: 'default' })
  @IsOptional()
  @IsString()
  @Matches(ENVIRONMENT_NAME, { message: 'environment must match [a-z0-9][a-z0-9-]{0,62}' })
  environment?: string;
}
