import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ENVIRONMENT_NAME, MAX_CHANNELS, MAX_PACKAGES } from '@sps/environments';
import { ArrayMaxSize, IsArray, IsDefined, IsOptional, IsString, Matches } from 'class-validator';

const NAME_MESSAGE = (field: string) => `${field} must match [a-z0-9][a-z0-9-]{0,62}`;

/**
 * Types and sizes are checked here; every package string is then checked
 * against its ecosystem's grammar by specProblems (libs/environments), whose
 * messages name the exact entry, e.g. "pip.2 must be a pip requirement ...".
 */
export class CreateEnvironmentDto {
  @ApiProperty({
    example: 'datascience',
    pattern: ENVIRONMENT_NAME.source,
    description: 'Unique; also the `environment` of jobs that run in it.',
  })
  @IsDefined()
  @IsString()
  @Matches(ENVIRONMENT_NAME, { message: NAME_MESSAGE('name') })
  name: string;

  @ApiPropertyOptional({
    example: '3.11',
    description:
      'With conda: the interpreter conda installs. Without: the build checks that the base image has this version.',
  })
  @IsOptional()
  @IsString()
  python?: string;

  @ApiPropertyOptional({
    example: ['numpy=1.26', 'pandas'],
    type: [String],
    description: 'conda packages (MatchSpec: name, name=version[=build], name>=a,<b), installed with micromamba.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_PACKAGES)
  @IsString({ each: true })
  conda?: string[];

  @ApiPropertyOptional({
    example: ['conda-forge'],
    type: [String],
    description: 'conda channel names, in priority order; default conda-forge.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CHANNELS)
  @IsString({ each: true })
  channels?: string[];

  @ApiPropertyOptional({
    example: ['requests==2.32.3'],
    type: [String],
    description: 'pip requirements (PEP 508 without URLs or markers).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_PACKAGES)
  @IsString({ each: true })
  pip?: string[];

  @ApiPropertyOptional({
    example: ['python3-numpy'],
    type: [String],
    description: 'Debian packages (name or name=version), for Debian-based bases.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_PACKAGES)
  @IsString({ each: true })
  apt?: string[];

  @ApiPropertyOptional({
    example: 'default',
    default: 'default',
    description: 'The ready environment whose image this one is built on.',
  })
  @IsOptional()
  @IsString()
  @Matches(ENVIRONMENT_NAME, { message: NAME_MESSAGE('base') })
  base?: string;
}
