import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { ExecutionResult } from '@sps/queue';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { BodyLimit } from '../http/body-limit.decorator';
import { CreateExecutionDto } from './dto/create-execution.dto';
import { ExecutionAcceptedDto, ExecutionResultDto } from './dto/execution-result.dto';
import { ExecutionEventStreams, parseLastEventId } from './execution-event-streams.service';
import { EXECUTION_EVENTS_DESCRIPTION, EXECUTION_EVENTS_RESPONSE } from './execution-events.docs';
import { answerSubmission, wantsEventStream } from './execution-replies';
import { ExecutionsService } from './executions.service';
import { parseWaitFlag } from './wait-query';

const WAIT_DOC = {
  name: 'wait',
  required: false,
  description: 'Hold the request until the job is final or the wait cap runs out.',
  enum: ['true', 'false'],
};

const LAST_EVENT_ID_DOC = {
  name: 'lastEventId',
  required: false,
  description: 'The id of the last event received, as the Last-Event-ID header sends it; the header wins.',
};

@ApiTags('executions')
@ApiBearerAuth()
@Controller('v1/executions')
export class ExecutionsController {
  constructor(
    private readonly executions: ExecutionsService,
    private readonly streams: ExecutionEventStreams,
  ) {}

  @Post()
  @BodyLimit('execution')
  @HttpCode(200) // with ?wait=true and a final result; queued answers set 202 themselves
  @ApiQuery(WAIT_DOC)
  @ApiOperation({
    summary: 'Queue a job; with ?wait=true, wait for its result; with Accept: text/event-stream, follow its events',
    description:
      "With `Accept: text/event-stream` the answer is the execution's event stream itself, as `GET /v1/executions/{id}/events` serves it, " +
      'with the id in the `X-Execution-Id` header and in the first event.\n\n' +
      EXECUTION_EVENTS_DESCRIPTION,
  })
  @ApiAcceptedResponse({ type: ExecutionAcceptedDto, description: 'Queued; poll the Location.' })
  @ApiOkResponse({
    type: ExecutionResultDto,
    description:
      'With ?wait=true: the final result. With `Accept: text/event-stream`: the event stream (`text/event-stream`), described above.',
  })
  @ApiBadRequestResponse({ description: 'Validation failed; the messages name the fields.' })
  @ApiPayloadTooLargeResponse({ description: 'The body is larger than the server accepts.' })
  @ApiTooManyRequestsResponse({
    description: "Over the key's request rate or its executions in flight, or its event streams; see Retry-After.",
  })
  async create(
    @Body() dto: CreateExecutionDto,
    @Query('wait') wait: string | undefined,
    @Headers('accept') accept: string | undefined,
    @CurrentPrincipal() owner: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!wantsEventStream(accept)) {
      await reply.send(answerSubmission(await this.executions.submit(dto, owner, parseWaitFlag(wait)), reply));
      return;
    }
    // The stream's slot is taken before the job is queued: a refusal queues nothing.
    await this.streams.stream(owner.keyId, 0, reply, async () => {
      const { id } = await this.executions.submit(dto, owner, false);
      return this.executions.eventSource(id, owner, { 'x-execution-id': id, location: `/v1/executions/${id}` });
    });
  }

  @Get(':id/events')
  @ApiOperation({
    summary: "The execution's events, live: status, output as it is written, the result",
    description: EXECUTION_EVENTS_DESCRIPTION,
  })
  @ApiProduces('text/event-stream')
  @ApiQuery(LAST_EVENT_ID_DOC)
  @ApiResponse(EXECUTION_EVENTS_RESPONSE)
  @ApiNoContentResponse({ description: 'Last-Event-ID is the result or past it: there is nothing more to send.' })
  @ApiBadRequestResponse({ description: 'Last-Event-ID is not a non-negative integer.' })
  @ApiNotFoundResponse({ description: 'Unknown or expired id, or an execution of another key.' })
  @ApiTooManyRequestsResponse({ description: 'The key holds API_MAX_EVENT_STREAMS_PER_KEY streams open here already.' })
  @ApiServiceUnavailableResponse({ description: 'This API process holds API_MAX_EVENT_STREAMS streams open already.' })
  async events(
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('lastEventId') lastEventIdQuery: string | undefined,
    @CurrentPrincipal() owner: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const after = parseLastEventId(lastEventId, lastEventIdQuery);
    await this.streams.stream(owner.keyId, after, reply, () => Promise.resolve(this.executions.eventSource(id, owner)));
  }

  @Get(':id')
  @ApiQuery(WAIT_DOC)
  @ApiOkResponse({ type: ExecutionResultDto })
  @ApiNotFoundResponse({ description: 'Unknown or expired id, or an execution of another key.' })
  async get(
    @Param('id') id: string,
    @Query('wait') wait: string | undefined,
    @CurrentPrincipal() owner: Principal,
  ): Promise<ExecutionResult> {
    return parseWaitFlag(wait) ? this.executions.waitForFinal(id, owner) : this.executions.get(id, owner);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOkResponse({
    type: ExecutionResultDto,
    description: 'Cancelled: a queued job never runs, a running one is killed; the answer is its result.',
  })
  @ApiNoContentResponse({
    description: 'It was already final: it is deleted, with its output and files, and its bytes are freed.',
  })
  @ApiNotFoundResponse({ description: 'Unknown, deleted or expired id, or an execution of another key.' })
  @ApiConflictResponse({ description: 'It finished before it could be cancelled.' })
  async cancel(
    @Param('id') id: string,
    @CurrentPrincipal() owner: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExecutionResult | undefined> {
    const result = await this.executions.cancelOrDelete(id, owner);
    if (result) return result;
    reply.status(204);
    return undefined;
  }
}
