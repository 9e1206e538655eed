import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { TooManyRequestsException } from './too-many-requests.exception';

export interface ErrorBody {
  statusCode: number;
  message: string | string[];
  error: string;
}

/**
 * The one place error bodies are written. An HttpException keeps its message,
 * which the code wrote for the caller; anything else is a fault of the server:
 * its detail (stack, paths) goes to the log, and the caller gets a fixed 500.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const body = this.bodyFor(exception, request);
    if (reply.sent) return;
    if (exception instanceof TooManyRequestsException) reply.header('retry-after', String(exception.retryAfterSeconds));
    reply.code(body.statusCode).send(body);
  }

  private bodyFor(exception: unknown, request: FastifyRequest): ErrorBody {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : ((response as { message?: string | string[] }).message ?? exception.message);
      return { statusCode, message: clearer(exception, request) ?? message, error: STATUS_CODES[statusCode] ?? 'Error' };
    }
    const error = exception as Error | undefined;
    this.logger.error(`${request.method} ${request.routeOptions?.url ?? '(no route)'} failed: ${error?.stack ?? String(exception)}`);
    const statusCode = HttpStatus.INTERNAL_SERVER_ERROR;
    return { statusCode, message: 'Internal server error', error: STATUS_CODES[statusCode]! };
  }
}

/** Fastify's own 4xx messages, reworded to say what to change. */
const clearer = (exception: HttpException, request: FastifyRequest): string | undefined => {
  switch ((exception.cause as { code?: string } | undefined)?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the body is larger than this route accepts (${request.routeOptions?.bodyLimit ?? 'its limit'} bytes)`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted: send application/json`;
    default:
      return undefined;
  }
};
