import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminOnly, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { CreateEnvironmentDto } from './dto/create-environment.dto';
import { EnvironmentAcceptedDto, EnvironmentDetailDto, EnvironmentDto } from './dto/environment.dto';
import { BuildLogEvents } from './build-log-events.service';
import { EnvironmentsService } from './environments.service';

@ApiTags('environments')
@ApiBearerAuth()
@Controller('v1/environments')
export class EnvironmentsController {
  constructor(
    private readonly environments: EnvironmentsService,
    private readonly events: BuildLogEvents,
  ) {}

  @Post()
  @AdminOnly() // a build runs on the workers' engines with network access: not for every tenant
  @ApiForbiddenResponse({ description: 'The key is not an admin key.' })
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: EnvironmentAcceptedDto,
    description: 'A build started; follow it at /v1/environments/{name}/build-log.',
  })
  @ApiOkResponse({
    type: EnvironmentAcceptedDto,
    description: 'The same spec is already building or ready: nothing new was started.',
  })
  @ApiBadRequestResponse({
    description: 'Validation failed; the messages name the fields, e.g. "pip.0 must be a pip requirement ...".',
  })
  @ApiConflictResponse({ description: 'The name is "default", or the base is not ready.' })
  async create(
    @Body() dto: CreateEnvironmentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnvironmentAcceptedDto> {
    const { name, ...spec } = dto;
    const { body, started } = await this.environments.create(name, spec);
    reply.status(started ? 202 : 200).header('Location', `/v1/environments/${name}`);
    return body;
  }

  @Get()
  @ApiOkResponse({ type: [EnvironmentDto] })
  async list(): Promise<EnvironmentDto[]> {
    return this.environments.list();
  }

  @Get(':name')
  @ApiOkResponse({ type: EnvironmentDetailDto })
  @ApiNotFoundResponse()
  async get(@Param('name') name: string): Promise<EnvironmentDetailDto> {
    return this.environments.get(name);
  }

  @Get(':name/build-log')
  @ApiOperation({
    summary: 'The latest build log as Server-Sent Events',
    description:
      'Replays the log, then streams new lines until the build ends. Events: `log` (data: one line), `end` (data: {"status","error"}). ' +
      'Comments keep the connection alive; send Last-Event-ID to resume.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream.' })
  @ApiNotFoundResponse()
  async buildLog(
    @Param('name') name: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentPrincipal() caller: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const record = await this.environments.find(name); // a 404 is answered before the stream starts
    await this.events.stream(record, lastEventId, reply, caller.keyId);
  }

  @Delete(':name')
  @AdminOnly()
  @ApiForbiddenResponse({ description: 'The key is not an admin key.' })
  @HttpCode(204)
  @ApiNoContentResponse({
    description: 'Removed, with its images on every worker (an image a running job uses goes when the job ends).',
  })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: '"default" cannot be deleted, nor an environment others are built on.' })
  async remove(@Param('name') name: string): Promise<void> {
    await this.environments.remove(name);
  }
}
