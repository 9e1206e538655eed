import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ExecutionResult } from '@sps/queue';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { BodyLimit } from '../http/body-limit.decorator';
import { CreateExecutionDto } from './dto/create-execution.dto';
import { ExecutionAcceptedDto, ExecutionResultDto } from './dto/execution-result.dto';
import { answerSubmission } from './execution-replies';
import { ExecutionsService } from './executions.service';

/** POST /execute, kept for clients of the original service: the same as POST /v1/executions?wait=true. */
@ApiTags('executions')
@ApiBearerAuth()
@Controller('execute')
export class LegacyExecuteController {
  constructor(private readonly executions: ExecutionsService) {}

  @Post()
  @BodyLimit('execution')
  @HttpCode(200)
  @ApiOperation({ summary: 'Same as POST /v1/executions?wait=true' })
  @ApiOkResponse({ type: ExecutionResultDto })
  async execute(
    @Body() dto: CreateExecutionDto,
    @CurrentPrincipal() owner: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExecutionResult | ExecutionAcceptedDto> {
    return answerSubmission(await this.executions.submit(dto, owner, true), reply);
  }
}
