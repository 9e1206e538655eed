import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  EXECUTION_STATUSES,
  type ExecutionResult,
  type ExecutionStatus,
  type ExecutionUsage,
  type OutputFile,
} from '@sps/queue';
import { ReproducibilityStampDto } from '../../validation/reproducibility-stamp.dto';

/** Response shapes, for the OpenAPI document; each implements the type the API answers with, so the two cannot drift. */
export class OutputFileDto implements OutputFile {
  @ApiProperty({ example: 'plot.png' }) path: string;
  @ApiProperty({ example: 1234 }) size: number;
  @ApiProperty({ description: 'base64', example: 'iVBORw0KGgo=' }) content: string;
}

export class UsageDto implements ExecutionUsage {
  @ApiProperty({ example: 12 }) wallMs: number;
  @ApiProperty({ example: 9 }) cpuMs: number;
  @ApiProperty({ example: 9437184 }) peakMemoryBytes: number;
}

/** What a submission answers while the job is not final: where to find it. */
export class ExecutionAcceptedDto implements Pick<ExecutionResult, 'id'> {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['queued'] }) status: 'queued';
}

export class ExecutionResultDto implements ExecutionResult {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: EXECUTION_STATUSES }) status: ExecutionStatus;
  @ApiProperty({ nullable: true, type: Number, example: 0 }) exitCode: number | null;
  @ApiProperty({ nullable: true, type: String, example: null }) signal: string | null;
  @ApiProperty({ example: 'hello\n', description: 'Invalid UTF-8 is replaced by U+FFFD.' }) stdout: string;
  @ApiProperty({ example: '' }) stderr: string;
  @ApiProperty() stdoutTruncated: boolean;
  @ApiProperty() stderrTruncated: boolean;
  @ApiProperty({ type: [OutputFileDto], description: 'Files created or changed under the working directory.' })
  files: OutputFileDto[];
  @ApiProperty({ description: 'True when some output files were left out (caps, links, odd names).' })
  filesTruncated: boolean;
  @ApiProperty({ type: UsageDto, nullable: true }) usage: UsageDto | null;
  @ApiProperty({ example: 'default' }) environment: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The worker that ran the job.' }) workerId: string | null;
  @ApiProperty({
    type: ReproducibilityStampDto,
    nullable: true,
    description: 'Which bits the job ran in; null until a worker has picked its image, and when nothing ran.',
  })
  reproducibility: ReproducibilityStampDto | null;
  @ApiPropertyOptional({ description: 'Only for status "error": what went wrong in the service.' }) error?: string;
}
