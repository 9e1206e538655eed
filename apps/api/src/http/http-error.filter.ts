import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { ServerBusyException } from './server-busy.exception';
import { TooManyRequestsException } from './too-many-requests.exception';

export interface ErrorBody {
  statusCode: number;
  message: string | string[];
  error: string;
}

/**
 * The catch-all for error bodies. An HttpException keeps the body the code
 * wrote for the caller (a health check's details included); anything else is
 * a fault of the server: its detail (stack, paths) goes to the log, and the
 * caller gets a fixed 500. Filters for particular errors are tried before it
 * (see createHttpApp).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const [statusCode, body] = this.answerFor(exception, request);
    if (reply.sent) return;
    if (exception instanceof TooManyRequestsException || exception instanceof ServerBusyException)
      reply.header('retry-after', String(exception.retryAfterSeconds));
    reply.code(statusCode).send(body);
  }

  private answerFor(exception: unknown, request: FastifyRequest): [number, object] {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null) return [statusCode, response];
      return [
        statusCode,
        { statusCode, message: clearer(exception, request) ?? response, error: STATUS_CODES[statusCode] ?? 'Error' },
      ];
    }
    const error = exception as Error | undefined;
    this.logger.error(
      `${request.method} ${request.routeOptions?.url ?? '(no route)'} failed: ${error?.stack ?? String(exception)}`,
    );
    const statusCode = HttpStatus.INTERNAL_SERVER_ERROR;
    const body: ErrorBody = { statusCode, message: 'Internal server error', error: STATUS_CODES[statusCode]! };
    return [statusCode, body];
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
