import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import { QueueFullError } from '@sps/queue';
import { RedisUnavailableError } from '@sps/redis';
import type { FastifyReply } from 'fastify';

/**
 * Turns the queue's refusals into answers a client can act on: 429 with
 * Retry-After when the queue is full, 503 when Redis is away. Neither job was added.
 */
@Catch(QueueFullError, RedisUnavailableError)
export class QueueErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger(QueueErrorsFilter.name);

  catch(error: QueueFullError | RedisUnavailableError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof QueueFullError) {
      this.logger.warn(`refused a submission: ${error.message}`);
      reply
        .status(HttpStatus.TOO_MANY_REQUESTS)
        .header('Retry-After', String(error.retryAfterSeconds))
        .send({ statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message: error.message });
      return;
    }
    this.logger.warn(error.message);
    reply
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .header('Retry-After', '5')
      .send({ statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable', message: error.message });
  }
}
