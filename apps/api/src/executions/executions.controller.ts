import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiQuery,
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
import { answerSubmission } from './execution-replies';
import { ExecutionsService } from './executions.service';
import { parseWaitFlag } from './wait-query';

const WAIT_DOC = {
  name: 'wait',
  required: false,
  description: 'Hold the request until the job is final or the wait cap runs out.',
  enum: ['true', 'false'],
};

@ApiTags('executions')
@ApiBearerAuth()
@Controller('v1/executions')
export class ExecutionsController {
  constructor(private readonly executions: ExecutionsService) {}

  @Post()
  @BodyLimit('execution')
  @HttpCode(200) // with ?wait=true and a final result; queued answers set 202 themselves
  @ApiQuery(WAIT_DOC)
  @ApiAcceptedResponse({ type: ExecutionAcceptedDto, description: 'Queued; poll the Location.' })
  @ApiOkResponse({ type: ExecutionResultDto, description: 'With ?wait=true: the final result.' })
  @ApiBadRequestResponse({ description: 'Validation failed; the messages name the fields.' })
  @ApiPayloadTooLargeResponse({ description: 'The body is larger than the server accepts.' })
  @ApiTooManyRequestsResponse({
    description: "Over the key's request rate or its executions in flight; see Retry-After.",
  })
  async create(
    @Body() dto: CreateExecutionDto,
    @Query('wait') wait: string | undefined,
    @CurrentPrincipal() owner: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExecutionResult | ExecutionAcceptedDto> {
    return answerSubmission(await this.executions.submit(dto, owner, parseWaitFlag(wait)), reply);
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
