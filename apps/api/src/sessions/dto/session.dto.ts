import { ApiProperty } from '@nestjs/swagger';
import { SESSION_STATUSES, type SessionStatus, type SessionView } from '@sps/queue';
import { LimitValuesDto } from '../../executions/dto/execution-limits.dto';

/** Response shapes, for the OpenAPI document; each implements the type the API answers with. */
export class SessionDto implements SessionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: SESSION_STATUSES, example: 'ready' }) status: SessionStatus;
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: 'Why the session is closed, dead or lost, e.g. "idle for 600 s".',
  })
  reason: string | null;
  @ApiProperty({ example: 'default' }) environment: string;
  @ApiProperty({ example: 'host-1234-ab12cd', description: 'The worker that holds its container.' }) workerId: string;
  @ApiProperty({ example: '2030-01-01T00:00:00.000Z' }) createdAt: string;
  @ApiProperty({ example: '2030-01-01T00:00:00.000Z', description: 'When its last cell ended (or it started).' })
  lastUsedAt: string;
  @ApiProperty({ example: '2030-01-01T01:00:00.000Z', description: 'When its lifetime ends.' }) expiresAt: string;
  @ApiProperty({ example: '2030-01-01T00:10:00.000Z', description: 'When it closes if no cell comes before.' })
  idleExpiresAt: string;
  @ApiProperty({ example: 600 }) idleTimeoutSeconds: number;
  @ApiProperty({ example: 3600 }) maxLifetimeSeconds: number;
  @ApiProperty({ example: 3 }) executionCount: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 31457280,
    description: "The container's memory use at its last report (after each cell, and every few seconds while idle).",
  })
  memoryBytes: number | null;
  @ApiProperty({ type: LimitValuesDto }) limits: LimitValuesDto;
  @ApiProperty({ nullable: true, type: String, example: null }) endedAt: string | null;
}

export class SessionFileDto {
  @ApiProperty({ example: 'data/in.csv' }) path: string;
  @ApiProperty({ example: 1234 }) size: number;
}

export class SessionFilesDto {
  @ApiProperty({ type: [SessionFileDto], description: 'Regular files under the working directory; never links.' })
  files: SessionFileDto[];
  @ApiProperty({ description: 'True when some were left out (the listing cap, odd names).' }) truncated: boolean;
}

export class SessionGoneDto {
  @ApiProperty({ example: 410 }) statusCode: number;
  @ApiProperty({ example: 'session 4b0c… is closed: idle for 600 s' }) message: string;
  @ApiProperty({ example: 'Gone' }) error: string;
  @ApiProperty({ enum: ['closed', 'dead', 'lost'] }) status: string;
  @ApiProperty({ example: 'idle for 600 s' }) reason: string;
}
