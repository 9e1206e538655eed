import { ApiProperty } from '@nestjs/swagger';
import type { SandboxLimits } from '@sps/config';
import { limitDoc } from '../../validation/limits.dto';
import type { ExecutionLimits } from '../execution-request.policy';

/** Response shapes, for the OpenAPI document only. */
export class LimitValuesDto implements SandboxLimits {
  @ApiProperty(limitDoc('timeoutMs')) timeoutMs: number;
  @ApiProperty(limitDoc('memoryMb')) memoryMb: number;
  @ApiProperty(limitDoc('cpus')) cpus: number;
  @ApiProperty(limitDoc('pids')) pids: number;
  @ApiProperty(limitDoc('outputBytes')) outputBytes: number;
}

type RequestSizeLimits = ExecutionLimits['request'];

export class RequestSizeLimitsDto implements RequestSizeLimits {
  @ApiProperty({ example: 1048576, description: 'Bytes of code, UTF-8.' }) codeBytes: number;
  @ApiProperty({ example: 1048576, description: 'Bytes of stdin, UTF-8.' }) stdinBytes: number;
  @ApiProperty({ example: 256 }) args: number;
  @ApiProperty({ example: 4096, description: 'Bytes of each argument.' }) argBytes: number;
  @ApiProperty({ example: 100 }) inputFiles: number;
  @ApiProperty({ example: 10485760, description: 'Bytes of all input files together, decoded.' })
  inputFileBytes: number;
}

export class ExecutionLimitsDto implements ExecutionLimits {
  @ApiProperty({ type: LimitValuesDto, description: 'What a job of this key gets for each limit it does not set.' })
  defaults: LimitValuesDto;

  @ApiProperty({
    type: LimitValuesDto,
    description: "The most this key may ask for: its own maxima, never above the server's.",
  })
  max: LimitValuesDto;

  @ApiProperty({ type: RequestSizeLimitsDto, description: 'The most one request may carry.' })
  request: RequestSizeLimitsDto;
}
