import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { ExecutionResult, SessionView } from '@sps/queue';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ExecutionAcceptedDto, ExecutionResultDto } from '../executions/dto/execution-result.dto';
import { ExecutionEventStreams, parseLastEventId } from '../executions/execution-event-streams.service';
import { ApiEventStream } from '../executions/execution-events.docs';
import { answerSubmission } from '../executions/execution-replies';
import { parseWaitFlag } from '../executions/wait-query';
import { BodyLimit } from '../http/body-limit.decorator';
import { CreateSessionExecutionDto } from './dto/create-session-execution.dto';
import { CreateSessionDto } from './dto/create-session.dto';
import { SessionDto, SessionGoneDto } from './dto/session.dto';
import { SessionExecutionsService } from './session-executions.service';
import { SessionsService } from './sessions.service';

const WAIT_DOC = {
  name: 'wait',
  required: false,
  description: 'Hold the request until the cell is final or the wait cap runs out.',
  enum: ['true', 'false'],
};
const NOT_FOUND = { description: 'Unknown or expired id, or a session of another key.' };
const GONE = { type: SessionGoneDto, description: 'The session is closed, dead or lost; `reason` says why.' };

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('v1/sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly cells: SessionExecutionsService,
    private readonly streams: ExecutionEventStreams,
  ) {}

  @Post()
  @BodyLimit('execution')
  @ApiOperation({
    summary: 'Start a session: one Python interpreter that keeps its state between cells',
    description:
      'Answers once the session is ready. It runs in a container as locked down as a job, taken from the warm pool when one of its environment waits there.',
  })
  @ApiCreatedResponse({ type: SessionDto })
  @ApiBadRequestResponse({ description: 'Validation failed; the messages name the fields.' })
  @ApiConflictResponse({ description: 'The environment is still building, or failed to build.' })
  @ApiTooManyRequestsResponse({
    description: 'The key has QUOTA_MAX_SESSIONS (or its own maximum) open; see Retry-After.',
  })
  @ApiServiceUnavailableResponse({
    description: 'No worker has room, or the session could not start; the message says why.',
  })
  create(@Body() dto: CreateSessionDto, @CurrentPrincipal() owner: Principal): Promise<SessionView> {
    return this.sessions.create(dto, owner);
  }

  @Get()
  @ApiOperation({ summary: "The key's sessions: open ones, and those ended within the retention time, newest first" })
  @ApiOkResponse({ type: [SessionDto] })
  list(@CurrentPrincipal() owner: Principal): Promise<SessionView[]> {
    return this.sessions.list(owner);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One open session: status, times, cells run, memory use' })
  @ApiOkResponse({ type: SessionDto })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiGoneResponse(GONE)
  get(@Param('id') id: string, @CurrentPrincipal() owner: Principal): Promise<SessionView> {
    return this.sessions.get(id, owner);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Close a session: its container is removed, a cell running in it is stopped' })
  @ApiNoContentResponse({ description: 'Closed, and its container gone.' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiGoneResponse(GONE)
  remove(@Param('id') id: string, @CurrentPrincipal() owner: Principal): Promise<void> {
    return this.sessions.remove(id, owner);
  }

  @Post(':id/executions')
  @BodyLimit('execution')
  @HttpCode(200) // with ?wait=true and a final result; queued answers set 202 themselves
  @ApiOperation({
    summary: "Run a cell in the session's namespace",
    description:
      "Cells run one at a time, in the order they were sent. The result is a job's, plus `result` (the value of a trailing expression) and `displays`.",
  })
  @ApiQuery(WAIT_DOC)
  @ApiAcceptedResponse({ type: ExecutionAcceptedDto, description: 'Queued; poll the Location.' })
  @ApiOkResponse({ type: ExecutionResultDto, description: 'With ?wait=true: the final result.' })
  @ApiBadRequestResponse({ description: 'Validation failed; the messages name the fields.' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiGoneResponse(GONE)
  @ApiTooManyRequestsResponse({
    description: "The session's queue is full (SESSION_MAX_QUEUED_CELLS); see Retry-After.",
  })
  async submit(
    @Param('id') id: string,
    @Body() dto: CreateSessionExecutionDto,
    @Query('wait') wait: string | undefined,
    @CurrentPrincipal() owner: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExecutionResult | ExecutionAcceptedDto> {
    const result = await this.cells.submit(id, dto, owner, parseWaitFlag(wait));
    return answerSubmission(result, reply, `/v1/sessions/${id}/executions/${result.id}`);
  }

  @Get(':id/executions/:executionId')
  @ApiOperation({ summary: 'A cell of the session, as for a job' })
  @ApiQuery(WAIT_DOC)
  @ApiOkResponse({ type: ExecutionResultDto })
  @ApiNotFoundResponse({ description: 'Unknown or expired id, or a cell of another session or key.' })
  getExecution(
    @Param('id') id: string,
    @Param('executionId') executionId: string,
    @Query('wait') wait: string | undefined,
    @CurrentPrincipal() owner: Principal,
  ): Promise<ExecutionResult> {
    return this.cells.get(id, executionId, owner, parseWaitFlag(wait));
  }

  @Get(':id/executions/:executionId/events')
  @ApiEventStream(
    "A cell's events, live: status, output as it is written, displays, the result",
    'Unknown or expired id, or a cell of another session or key.',
  )
  async executionEvents(
    @Param('id') id: string,
    @Param('executionId') executionId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('lastEventId') lastEventIdQuery: string | undefined,
    @CurrentPrincipal() owner: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const after = parseLastEventId(lastEventId, lastEventIdQuery);
    await this.streams.stream(owner.keyId, after, reply, () =>
      Promise.resolve(this.cells.eventSource(id, executionId, owner)),
    );
  }
}
