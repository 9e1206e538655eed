import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';

export const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class InputFileDto {
  @ApiProperty({ example: 'data/in.csv', description: 'Relative path under the working directory; no "..", no absolute paths.' })
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

/** Every field is optional; missing ones take the server's defaults, and values above its maxima are refused. */
export class LimitsDto {
  @ApiPropertyOptional({ example: 10000, description: 'Wall-clock limit in milliseconds.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  timeoutMs?: number;

  @ApiPropertyOptional({ example: 256 })
  @IsOptional()
  @IsInt()
  @Min(32) // below this the interpreter itself does not fit
  memoryMb?: number;

  @ApiPropertyOptional({ example: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  cpus?: number;

  @ApiPropertyOptional({ example: 64 })
  @IsOptional()
  @IsInt()
  @Min(8)
  pids?: number;

  @ApiPropertyOptional({ example: 1048576, description: 'Cap on stdout and on stderr, each.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  outputBytes?: number;
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
