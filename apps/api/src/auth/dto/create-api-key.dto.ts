import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { LimitsDto } from '../../validation/limits.dto';
import { API_KEY_ROLES, ApiKeyRole, KEY_NAME_PATTERN } from '../api-key.store';

export class KeyQuotasDto {
  @ApiPropertyOptional({
    example: 120,
    description: 'Requests per minute, on every route. Default: QUOTA_RATE_PER_MINUTE.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  ratePerMinute?: number;

  @ApiPropertyOptional({
    example: 10,
    description: 'Executions queued or running at once. Default: QUOTA_MAX_IN_FLIGHT.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxInFlight?: number;

  @ApiPropertyOptional({
    example: 268435456,
    description:
      'Bytes its finished results may hold before new submissions get 429 (until some expire or are deleted). Default: QUOTA_MAX_STORED_BYTES.',
  })
  @IsOptional()
  @IsInt()
  @Min(1024)
  @Max(2 ** 50)
  maxStoredBytes?: number;

  @ApiPropertyOptional({
    example: 20,
    description:
      'Requests served at once by one API process, long polls and event streams included. Default: QUOTA_MAX_CONCURRENT_REQUESTS.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxConcurrentRequests?: number;

  @ApiPropertyOptional({
    example: 5,
    description: 'Sessions open at once. Default: QUOTA_MAX_SESSIONS.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  maxSessions?: number;

  @ApiPropertyOptional({
    type: LimitsDto,
    description: 'The highest limits this key may ask for; never above the server maxima.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LimitsDto)
  maxLimits?: LimitsDto;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'alice', description: 'Unique; letters, digits and _ . @ -, at most 64.' })
  @IsDefined()
  @IsString()
  @Matches(KEY_NAME_PATTERN, {
    message: 'name must be 1 to 64 letters, digits or _ . @ -, starting with a letter or digit',
  })
  name: string;

  @ApiPropertyOptional({ enum: API_KEY_ROLES, default: 'user' })
  @IsOptional()
  @IsIn(API_KEY_ROLES)
  role?: ApiKeyRole;

  @ApiPropertyOptional({ type: KeyQuotasDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => KeyQuotasDto)
  quotas?: KeyQuotasDto;
}

/** Response shapes, for the OpenAPI document only. */
export class ApiKeyDto {
  @ApiProperty({ example: '3f2a9c0d1b7e4a66' }) id: string;
  @ApiProperty({ example: 'alice' }) name: string;
  @ApiProperty({ enum: API_KEY_ROLES }) role: string;
  @ApiProperty({ type: KeyQuotasDto }) quotas: KeyQuotasDto;
  @ApiProperty() createdAt: string;
}

const WEBHOOK_SECRET_DOC = {
  description:
    "Signs this key's webhooks (Standard Webhooks: HMAC-SHA256 keyed with the base64 after whsec_); shown this once.",
  example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself: shown this once, stored only as a hash.', example: 'sps_…' })
  key: string;

  @ApiProperty(WEBHOOK_SECRET_DOC)
  webhookSecret: string;
}

export class WebhookSecretDto {
  @ApiProperty({ example: '3f2a9c0d1b7e4a66' }) id: string;
  @ApiProperty({ example: 'alice' }) name: string;
  @ApiProperty(WEBHOOK_SECRET_DOC) webhookSecret: string;
}
