import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '@sps/config';
import type { ExecutionResult } from '@sps/queue';
import type { FastifyReply } from 'fastify';
import { CreateExecutionDto } from './dto/create-execution.dto';
import { ExecutionAcceptedDto, ExecutionResultDto } from './dto/execution-result.dto';
import { replyWhenFinal } from './execution-replies';
import { ExecutionsService } from './executions.service';

/** POST /execute, kept for clients of the original service: the same as POST /v1/executions?wait=true. */
@ApiTags('executions')
@Controller('execute')
export class LegacyExecuteController {
  private readonly waitCapMs: number;

  constructor(
    private readonly executions: ExecutionsService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.waitCapMs = config.get('api.waitCapMs', { infer: true });
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Same as POST /v1/executions?wait=true' })
  @ApiOkResponse({ type: ExecutionResultDto })
  async execute(
    @Body() dto: CreateExecutionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExecutionResult | ExecutionAcceptedDto> {
    const queued = await this.executions.submit(dto);
    return replyWhenFinal(this.executions, queued, this.waitCapMs, reply);
  }
}
