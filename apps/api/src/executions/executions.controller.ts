import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '@sps/config';
import type { ExecutionResult } from '@sps/queue';
import type { FastifyReply } from 'fastify';
import { CreateExecutionDto } from './dto/create-execution.dto';
import { ExecutionAcceptedDto, ExecutionResultDto } from './dto/execution-result.dto';
import { replyAccepted, replyWhenFinal } from './execution-replies';
import { ExecutionsService } from './executions.service';
import { parseWaitFlag } from './wait-query';

const WAIT_DOC = { name: 'wait', required: false, description: 'Hold the request until the job is final or the wait cap runs out.', enum: ['true', 'false'] };

@ApiTags('executions')
@Controller('v1/executions')
export class ExecutionsController {
  private readonly waitCapMs: number;

  constructor(
    private readonly executions: ExecutionsService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.waitCapMs = config.get('api.waitCapMs', { infer: true });
  }

  @Post()
  @HttpCode(200) // with ?wait=true and a final result; queued answers set 202 themselves
  @ApiQuery(WAIT_DOC)
  @ApiAcceptedResponse({ type: ExecutionAcceptedDto, description: 'Queued; poll the Location.' })
  @ApiOkResponse({ type: ExecutionResultDto, description: 'With ?wait=true: the final result.' })
  @ApiBadRequestResponse({ description: 'Validation failed; the messages name the fields.' })
  async create(
    @Body() dto: CreateExecutionDto,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExecutionResult | ExecutionAcceptedDto> {
    const waiting = parseWaitFlag(wait);
    const queued = await this.executions.submit(dto);
    return waiting ? replyWhenFinal(this.executions, queued, this.waitCapMs, reply) : replyAccepted(queued.id, reply);
  }

  @Get(':id')
  @ApiQuery(WAIT_DOC)
  @ApiOkResponse({ type: ExecutionResultDto })
  @ApiNotFoundResponse({ description: 'Unknown or expired id.' })
  async get(@Param('id') id: string, @Query('wait') wait: string | undefined): Promise<ExecutionResult> {
    return parseWaitFlag(wait) ? this.executions.waitForFinal(id, this.waitCapMs) : this.executions.get(id);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOkResponse({ type: ExecutionResultDto, description: 'Cancelled: a queued job never runs, a running one is killed.' })
  @ApiNotFoundResponse({ description: 'Unknown or expired id.' })
  @ApiConflictResponse({ description: 'The job was already final.' })
  async cancel(@Param('id') id: string): Promise<ExecutionResult> {
    return this.executions.cancel(id);
  }
}
