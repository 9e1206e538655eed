import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ENVIRONMENT_NAME } from '@sps/environments';
import { Type } from 'class-transformer';
import {
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
}
