import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { ExecutionResult } from '@sps/queue';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { BodyLimit } from '../http/body-limit.decorator';
import { CreateExecutionBatchDto, CreateExecutionDto } from './dto/create-execution.dto';
import {
  BatchAcceptedDto,
  ExecutionAcceptedDto,
  ExecutionHistoryPageDto,
  ExecutionResultDto,
} from './dto/execution-result.dto';
import { ListExecutionsQueryDto } from './dto/list-executions.query';
import { ExecutionEventStreams, parseLastEventId } from './execution-event-streams.service';
import { ApiEventStream, EXECUTION_EVENTS_DESCRIPTION } from './execution-events.docs';
import { answerSubmission, wantsEventStream } from './execution-replies';
import { type HistoryPage, ExecutionsService } from './executions.service';
import { IdempotentSubmissions } from './idempotent-submissions.service';
import { parseWaitFlag } from './wait-query';

const WAIT_DOC = {
  name: 'wait',
  required: false,
  description: 'Hold the request until the job is final or the wait cap runs out.',
  enum: ['true', 'false'],
};

const IDEMPOTENCY_DOC = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Up to 255 printable ASCII characters. The same key with the same body, from the same API key within 24 h, ' +
    'answers the same execution(s) with Idempotent-Replayed: true and never runs them again; with another body, 422.',
  example: 'order-1234-attempt',
};
const REPLAYED_HEADER = 'Idempotent-Replayed';

@ApiTags('executions')
@ApiBearerAuth()
@Controller('v1/executions')
export class ExecutionsController {
  constructor(
    private readonly executions: ExecutionsService,
    private readonly idempotent: IdempotentSubmissions,
    private readonly streams: ExecutionEventStreams,
  ) {}

  @Post()
  @BodyLimit('execution')
  @HttpCode(200) // with ?wait=true and a final result; queued answers set 202 themselves
  @ApiQuery(WAIT_DOC)
  @ApiHeader(IDEMPOTENCY_DOC)
  @ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used before with another body.' })
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
    @Headers('idempotency-key') idempotencyHeader: string | undefined,
    @CurrentPrincipal() owner: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const key = IdempotentSubmissions.parseKey(idempotencyHeader);
    if (wantsEventStream(accept)) {
      // The stream's slot is taken before the job is queued: a refusal queues nothing.
      await this.streams.stream(owner.keyId, 0, reply, async () => {
        const submitted = await this.idempotent.once(owner, key, 'POST /v1/executions', dto, 1, ([id]) =>
          this.executions.submit(dto, owner, false, id),
        );
        const [id] = submitted.ids;
        const headers: Record<string, string> = { 'x-execution-id': id, location: `/v1/executions/${id}` };
        if (submitted.replayed) headers[REPLAYED_HEADER.toLowerCase()] = 'true';
        return this.executions.eventSource(id, owner, headers);
      });
      return;
    }
    const waiting = parseWaitFlag(wait);
    // With a key, the job is only queued under the claim; a wait, if asked, follows once the claim is settled.
    const submitted = await this.idempotent.once(owner, key, 'POST /v1/executions', dto, 1, ([id]) =>
      this.executions.submit(dto, owner, waiting && key === undefined, id),
    );
    if (submitted.replayed) reply.header(REPLAYED_HEADER, 'true');
    const [id] = submitted.ids;
    const result =
      waiting && (submitted.replayed || key !== undefined)
        ? await this.executions.waitForFinal(id, owner)
        : submitted.replayed
          ? await this.executions.get(id, owner)
          : submitted.value;
    await reply.send(answerSubmission(result, reply));
  }

  @Post('batch')
  @BodyLimit('executionBatch')
  @HttpCode(202)
  @ApiHeader(IDEMPOTENCY_DOC)
  @ApiAcceptedResponse({ type: BatchAcceptedDto, description: 'Every execution is queued; the ids are in order.' })
  @ApiBadRequestResponse({
    description:
      'Some item is invalid (named by index, executions.3.limits.memoryMb ...), or the batch is too long: nothing was queued.',
  })
  @ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used before with another body.' })
  @ApiTooManyRequestsResponse({
    description:
      'The batch would take the key past its executions in flight, or its storage budget is spent: nothing was queued.',
  })
  async createBatch(
    @Body() dto: CreateExecutionBatchDto,
    @Headers('idempotency-key') idempotencyHeader: string | undefined,
    @CurrentPrincipal() owner: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BatchAcceptedDto> {
    const key = IdempotentSubmissions.parseKey(idempotencyHeader);
    const submitted = await this.idempotent.once(
      owner,
      key,
      'POST /v1/executions/batch',
      dto,
      dto.executions.length,
      (ids) => this.executions.submitBatch(dto.executions, owner, ids),
    );
    if (submitted.replayed) reply.header(REPLAYED_HEADER, 'true');
    return { ids: submitted.ids };
  }

  @Get()
  @ApiOkResponse({
    type: ExecutionHistoryPageDto,
    description:
      "The calling key's executions, newest first, as summaries; with ?ids=, those executions' full results (null for unknown) in order.",
  })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; the message names it.' })
  async list(
    @Query() query: ListExecutionsQueryDto,
    @CurrentPrincipal() owner: Principal,
  ): Promise<HistoryPage | { items: (ExecutionResult | null)[] }> {
    if (query.ids === undefined) return this.executions.list(owner, query);
    const ids = query.ids.split(',').filter(Boolean);
    return { items: await this.executions.getMany(ids, owner) };
  }

  @Get(':id/events')
  @ApiEventStream(
    "The execution's events, live: status, output as it is written, the result",
    'Unknown or expired id, or an execution of another key.',
  )
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
