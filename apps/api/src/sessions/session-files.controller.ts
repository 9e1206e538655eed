import { Body, Controller, createParamDecorator, ExecutionContext, Get, Param, Put, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { RawBody } from '../http/body-limit.decorator';
import { SessionFileDto, SessionFilesDto, SessionGoneDto } from './dto/session.dto';
import { servedFileHeaders } from './served-file';
import { SessionFileListing, SessionFilesService } from './session-files.service';

/**
 * The file path: the route's wildcard, which the router has decoded. Read from
 * the request rather than with @Param('*'), so that the document names it only
 * `path`, as it writes the route: /v1/sessions/{id}/files/{path}.
 */
const FilePath = createParamDecorator(
  (_: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<FastifyRequest<{ Params: { '*': string } }>>().params['*'] ?? '',
);

const PATH_DOC = {
  name: 'path',
  type: String,
  description:
    'The file, relative to the working directory: no "." or ".." segments, no backslashes, no control characters.',
  example: 'data/in.csv',
};
const GONE = { type: SessionGoneDto, description: 'The session is closed, dead or lost; `reason` says why.' };

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('v1/sessions')
export class SessionFilesController {
  constructor(private readonly files: SessionFilesService) {}

  @Get(':id/files')
  @ApiOperation({ summary: "The regular files in the session's working directory, with their sizes" })
  @ApiOkResponse({ type: SessionFilesDto })
  @ApiNotFoundResponse({ description: 'Unknown or expired id, or a session of another key.' })
  @ApiGoneResponse(GONE)
  list(@Param('id') id: string, @CurrentPrincipal() owner: Principal): Promise<SessionFileListing> {
    return this.files.list(id, owner);
  }

  @Put(':id/files/*')
  @RawBody('sessionFile')
  @ApiOperation({
    summary: "Write a file in the session's working directory from the raw body",
    description: 'Replaces a regular file, makes missing directories; never writes through a link.',
  })
  @ApiParam(PATH_DOC)
  @ApiBody({
    description: "The file's bytes, as they are (any Content-Type).",
    schema: { type: 'string', format: 'binary' },
  })
  @ApiOkResponse({ type: SessionFileDto })
  @ApiBadRequestResponse({ description: 'The path breaks the rules; the message says which.' })
  @ApiConflictResponse({ description: 'The path is a link, under one, or not a regular file.' })
  @ApiPayloadTooLargeResponse({ description: 'Larger than MAX_INPUT_FILES_BYTES.' })
  @ApiGoneResponse(GONE)
  put(
    @Param('id') id: string,
    @FilePath() path: string,
    @Body() body: Buffer | undefined,
    @CurrentPrincipal() owner: Principal,
  ): Promise<{ path: string; size: number }> {
    return this.files.put(id, path, Buffer.isBuffer(body) ? body : Buffer.alloc(0), owner);
  }

  @Get(':id/files/*')
  @ApiOperation({
    summary: "A file of the session's working directory, as its bytes",
    description:
      'Only regular files, never through a link, at most SANDBOX_MAX_OUTPUT_FILE_BYTES. Served as a download (Content-Disposition: attachment), never rendered as a page.',
  })
  @ApiParam(PATH_DOC)
  @ApiProduces('application/octet-stream', 'image/png', 'text/plain', 'text/csv', 'application/json')
  @ApiOkResponse({ description: "The file's bytes.", schema: { type: 'string', format: 'binary' } })
  @ApiNotFoundResponse({ description: 'No such file, or an unknown session.' })
  @ApiConflictResponse({ description: 'The path is a link, under one, or not a regular file.' })
  @ApiPayloadTooLargeResponse({ description: 'Larger than SANDBOX_MAX_OUTPUT_FILE_BYTES.' })
  @ApiGoneResponse(GONE)
  async get(
    @Param('id') id: string,
    @FilePath() path: string,
    @CurrentPrincipal() owner: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const content = await this.files.get(id, path, owner);
    reply.headers(servedFileHeaders(path));
    return content;
  }
}
