import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ENVIRONMENT_STATUSES } from '@sps/environments';
import { ReproducibilityStampDto } from '../../validation/reproducibility-stamp.dto';

/** Response shapes, for the OpenAPI document only. */
export class EnvironmentSpecDto {
  @ApiProperty({ nullable: true, type: String, example: '3.11' }) python: string | null;
  @ApiProperty({ type: [String] }) conda: string[];
  @ApiProperty({ type: [String] }) channels: string[];
  @ApiProperty({ type: [String], example: ['requests==2.32.3'] }) pip: string[];
  @ApiProperty({ type: [String] }) apt: string[];
  @ApiProperty({ example: 'default' }) base: string;
}

export class EnvironmentAcceptedDto {
  @ApiProperty({ example: 'datascience' }) name: string;
  @ApiProperty({ enum: ENVIRONMENT_STATUSES, example: 'building' }) status: string;
  @ApiProperty({ example: '3f2a9c0d1e7b4a56' }) specHash: string;
}

export class EnvironmentDto {
  @ApiProperty({ example: 'datascience' }) name: string;
  @ApiProperty({ enum: ENVIRONMENT_STATUSES, description: 'Of the latest submitted version.' }) status: string;
  @ApiProperty({ nullable: true, type: String, description: 'Of the latest submitted version (null for default).' })
  specHash: string | null;
  @ApiProperty({ type: EnvironmentSpecDto, nullable: true }) spec: EnvironmentSpecDto | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the latest build failed.' }) error: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The version jobs run in now; differs from specHash while a new version builds or after it failed.',
  })
  activeSpecHash: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'simplepysandbox/env:datascience-3f2a9c0d1e7b4a56' }) image:
    string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'sha256:…',
    description: 'Content digest of the active image.',
  })
  imageId: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'sha256:9d0e…',
    description:
      'Manifest digest of the active version in the registry (REGISTRY_URL/<repository>@<digest>), which every worker ' +
      'pulls; null when it was built without a registry, and then each worker builds its own.',
  })
  registryDigest: string | null;
  @ApiProperty({
    type: ReproducibilityStampDto,
    nullable: true,
    description: 'The active version as a result stamps it: a job that ran in exactly these bits carries the same.',
  })
  reproducibility: ReproducibilityStampDto | null;
  @ApiProperty({ nullable: true, type: Number, example: 612345678 }) sizeBytes: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Null for default.' }) createdAt: string | null;
  @ApiProperty({ nullable: true, type: String }) builtAt: string | null;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ description: 'True for the environments the service comes with.' }) builtin: boolean;
}

export class EnvironmentDetailDto extends EnvironmentDto {
  @ApiPropertyOptional({ type: [String], description: 'The last 200 lines of the latest build log.' })
  buildLog: string[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'What the latest spec renders to.' }) dockerfile:
    string | null;
  @ApiPropertyOptional({ type: [String], description: 'Live workers whose engine has the image jobs run in.' })
  availableOn: string[];
}
