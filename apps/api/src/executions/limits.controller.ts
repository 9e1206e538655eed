import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ExecutionLimitsDto } from './dto/execution-limits.dto';
import { ExecutionRequestPolicy, type ExecutionLimits } from './execution-request.policy';

@ApiTags('executions')
@ApiBearerAuth()
@Controller('v1/limits')
export class LimitsController {
  constructor(private readonly policy: ExecutionRequestPolicy) {}

  @Get()
  @ApiOperation({
    summary: "The calling key's limits",
    description:
      "The defaults a job gets, the maxima it may ask for (the key's own, never above the server's), and request size limits.",
  })
  @ApiOkResponse({ type: ExecutionLimitsDto })
  limits(@CurrentPrincipal() owner: Principal): ExecutionLimits {
    return this.policy.limitsFor(owner);
  }
}
