import { Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { BodyLimit } from '../http/body-limit.decorator';
import { McpTools } from './mcp-tools.service';

/** The Fastify request as the web-standard Request the SDK's transport reads; its body is passed on already parsed. */
const toWebRequest = (request: FastifyRequest): Request => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  return new Request(new URL(request.url, 'http://mcp.invalid'), { method: request.method, headers });
};

const METHOD_NOT_ALLOWED = {
  jsonrpc: '2.0',
  error: { code: -32000, message: 'Method not allowed: this server is stateless; send every message as a POST' },
  id: null,
};

/**
 * The Model Context Protocol over Streamable HTTP, stateless: each POST is
 * answered on its own, in JSON, by a server made for it. Authentication,
 * the key's request rate, and the hardened JSON parsing with its body limit
 * all happen before this runs, exactly as for the REST routes (see
 * RequestAuthenticator and hardenRequests); the tools then use the same
 * services as the REST controllers. Not a REST route, so not in /docs.
 */
@ApiExcludeController()
@Controller('mcp')
export class McpController {
  constructor(private readonly tools: McpTools) {}

  @Post()
  @BodyLimit('execution') // run_python carries code and input files, like POST /v1/executions
  async handle(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() owner: Principal,
  ): Promise<void> {
    const gone = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) gone.abort();
    });
    const server = this.tools.serverFor(owner, gone.signal);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      // With JSON responses the answer is complete when this resolves: closing the server after it loses nothing.
      const response = await transport.handleRequest(toWebRequest(request), { parsedBody: request.body });
      await reply.send(response);
    } finally {
      await server.close();
    }
  }

  /** No server-initiated stream (GET) and no session to end (DELETE) without sessions: 405, which MCP clients expect. */
  @Get()
  @HttpCode(405)
  refuseStream(@Res({ passthrough: true }) reply: FastifyReply): typeof METHOD_NOT_ALLOWED {
    reply.header('allow', 'POST');
    return METHOD_NOT_ALLOWED;
  }

  @Delete()
  @HttpCode(405)
  refuseEnd(@Res({ passthrough: true }) reply: FastifyReply): typeof METHOD_NOT_ALLOWED {
    reply.header('allow', 'POST');
    return METHOD_NOT_ALLOWED;
  }
}
