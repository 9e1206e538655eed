import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SANDBOX_LIMITS } from '@sps/config';
import { IsDefined, IsInt, IsOptional, IsString, Min } from 'class-validator';

export class CreateSessionExecutionDto {
  @ApiProperty({
    example: 'x = 41\nx + 1',
    description: "Python source, run in the session's namespace; a trailing expression's value is the result.",
  })
  @IsDefined()
  @IsString()
  code: string;

  @ApiPropertyOptional({ example: 'input line\n', description: "The cell's stdin." })
  @IsOptional()
  @IsString()
  stdin?: string;

  @ApiPropertyOptional({
    example: 10_000,
    description:
      "Wall-clock limit of this cell in milliseconds; the session's limits.timeoutMs when missing. Past it the cell gets KeyboardInterrupt.",
  })
  @IsOptional()
  @IsInt()
  @Min(SANDBOX_LIMITS.timeoutMs.min)
  timeoutMs?: number;
}
