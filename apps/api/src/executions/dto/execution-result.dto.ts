import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  EXECUTION_STATUSES,
  type Display,
  type ExecutionResult,
  type ExecutionStatus,
  type ExecutionUsage,
  type ExecutionHistoryEntry,
  type ExecutionValue,
  type OutputFile,
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
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

export class DisplayDto implements Display {
  @ApiProperty({ example: 'image/png', description: 'image/png for a matplotlib figure; text/html, text/plain…' })
  mime: string;
  @ApiProperty({ example: 'iVBORw0KGgo=', description: 'base64 for images (but SVG), text for anything else.' })
  data: string;
}

export class ExecutionValueDto implements ExecutionValue {
  @ApiProperty({ name: 'text/plain', example: '42', description: "The value's repr." })
  'text/plain': string;
  @ApiPropertyOptional({
    name: 'text/html',
    example: '<table>…</table>',
    description: 'When the value has _repr_html_ (a pandas DataFrame).',
  })
  'text/html'?: string;
}

export class WebhookDeliveryDto implements WebhookDelivery {
  @ApiProperty({ example: 'https://example.com/hooks/sandbox' }) url: string;
  @ApiProperty({
    enum: WEBHOOK_DELIVERY_STATUSES,
    description: 'pending until a receiver answers 2xx (delivered), or every try has failed (failed).',
  })
  status: WebhookDeliveryStatus;
  @ApiProperty({ example: 1, description: 'Tries so far, at most WEBHOOK_MAX_ATTEMPTS.' }) attempts: number;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'Why the latest try failed.' })
  lastError: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2025-01-01T12:00:01.000Z' }) deliveredAt: string | null;
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
  @ApiPropertyOptional({
    type: ExecutionValueDto,
    nullable: true,
    description: "Session cells only: the value of the cell's trailing expression, null when it has none.",
  })
  result?: ExecutionValueDto | null;
  @ApiPropertyOptional({
    type: [DisplayDto],
    description: 'display() calls and the matplotlib figures left open (as image/png), in order.',
  })
  displays?: DisplayDto[];
  @ApiPropertyOptional({
    description: 'True when some displays were left out (their count or size went past the caps).',
  })
  displaysTruncated?: boolean;
  @ApiPropertyOptional({
    type: WebhookDeliveryDto,
    description: 'Only for a job submitted with a webhook: where its result is POSTed, and how that stands.',
  })
  webhook?: WebhookDeliveryDto;
}

export class BatchAcceptedDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'The ids of the queued executions, in the order of the batch.',
    example: ['0d7c4a0e-6f5e-4f43-9d57-1a2b3c4d5e6f', '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'],
  })
  ids: string[];
}

export class ExecutionHistoryEntryDto implements ExecutionHistoryEntry {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: EXECUTION_STATUSES, example: 'succeeded' }) status: ExecutionStatus;
  @ApiProperty({ example: 'default' }) environment: string;
  @ApiProperty({ example: '2025-01-01T12:00:00.000Z' }) createdAt: string;
  @ApiPropertyOptional({ example: '2025-01-01T12:00:00.120Z' }) startedAt?: string;
  @ApiPropertyOptional({ example: '2025-01-01T12:00:00.180Z' }) finishedAt?: string;
  @ApiPropertyOptional({ example: 0 }) exitCode?: number;
  @ApiPropertyOptional({ example: 60, description: 'From start to finish, in ms.' }) durationMs?: number;
}

export class ExecutionHistoryPageDto {
  @ApiProperty({
    type: [ExecutionHistoryEntryDto],
    description:
      'Newest first; summaries only (no output). With ?ids=, full results (or null) instead, in the order asked.',
  })
  items: ExecutionHistoryEntryDto[];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '8262318727015:0d7c4a0e-6f5e-4f43-9d57-1a2b3c4d5e6f',
    description: 'Pass as ?cursor= for the next page; null on the last. Not given with ?ids=.',
  })
  nextCursor?: string | null;
}
