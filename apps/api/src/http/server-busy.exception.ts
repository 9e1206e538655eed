import { HttpStatus, ServiceUnavailableException } from '@nestjs/common';

/** 503 for a server that is full for now, with a Retry-After header, which the HttpErrorFilter writes. */
export class ServerBusyException extends ServiceUnavailableException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super({ statusCode: HttpStatus.SERVICE_UNAVAILABLE, message, error: 'Service Unavailable' });
  }
}
