import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_BATCH_CEILING } from '@sps/config';
import { ENVIRONMENT_NAME } from '@sps/environments';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  ValidateNested,
} from 'class-validator';
import { LimitsDto } from '../../validation/limits.dto';

export class InputFileDto {
  @ApiProperty({
    example: 'data/in.csv',
    description: 'Relative path under the working directory; no "..", no absolute paths.',
  })
  @IsString()
  path: string;

  @ApiProperty({ example: 'a,b\n1,2\n' })
  @IsString()
  content: string;

  @ApiPropertyOptional({ enum: ['utf8', 'base64'], default: 'utf8' })
  @IsOptional()
  @IsIn(['utf8', 'base64'])
  encoding?: 'utf8' | 'base64';
}

export class WebhookDto {
  @ApiProperty({
    example: 'https://example.com/hooks/sandbox',
    description:
      'Receives the final result (the JSON GET answers) as a signed POST (Standard Webhooks: Webhook-Id, Webhook-Timestamp, ' +
      "Webhook-Signature, with the API key's webhook secret). http or https; the host must resolve to public addresses only.",
  })
  @IsString()
  url: string;
}

export class CreateExecutionDto {
  @ApiProperty({ example: 'print("hello")', description: 'Python source, UTF-8.' })
  @IsDefined()
  @IsString()
  code: string;

  @ApiPropertyOptional({ example: 'default', default: 'default' })
  @IsOptional()
  @IsString()
  @Matches(ENVIRONMENT_NAME, { message: 'environment must match [a-z0-9][a-z0-9-]{0,62}' })
  environment?: string;

  @ApiPropertyOptional({ example: 'input line\n' })
  @IsOptional()
  @IsString()
  stdin?: string;

  @ApiPropertyOptional({ example: ['a', 'b'], type: [String], description: 'Passed as sys.argv[1:].' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  args?: string[];

  @ApiPropertyOptional({ type: [InputFileDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => InputFileDto)
  files?: InputFileDto[];

  @ApiPropertyOptional({ type: LimitsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LimitsDto)
  limits?: LimitsDto;

  @ApiPropertyOptional({ example: false, description: 'Refused unless the server allows network access.' })
  @IsOptional()
  @IsBoolean()
  network?: boolean;

  @ApiPropertyOptional({ type: WebhookDto, description: 'Where to POST the result once it is final.' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WebhookDto)
  webhook?: WebhookDto;
}

export class CreateExecutionBatchDto {
  @ApiProperty({
    type: [CreateExecutionDto],
    description:
      'At most MAX_BATCH (default 100) executions, each as POST /v1/executions takes it. All are queued, or none: ' +
      'one invalid item refuses the batch, and the messages name items by index (executions.3.limits.memoryMb ...).',
    example: [{ code: 'print(1)' }, { code: 'print(2)', limits: { timeoutMs: 2000 } }],
  })
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  // The ceiling MAX_BATCH may be set to: refused before thousands of items are validated one by one.
  @ArrayMaxSize(MAX_BATCH_CEILING)
  @ValidateNested({ each: true })
  @Type(() => CreateExecutionDto)
  executions: CreateExecutionDto[];
}
