import { DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, LoggingConfig } from '@sps/config';
import type { IncomingMessage } from 'node:http';
import type { Options as HttpLoggerOptions } from 'pino-http';
import { randomUUID } from 'node:crypto';
import { LoggerModule, Params } from 'nestjs-pino';
import { AppLogger } from './app.logger';
import { LogContext } from './log-context';
import { logRedaction } from './log-redaction';
import { prettyStream } from './pretty-stream';

export const REQUEST_ID_HEADER = 'x-request-id';
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Probes and scrapes arrive every few seconds; their own lines would drown the rest.
const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/**
 * A caller's own X-Request-Id is kept when it is short and plain; otherwise a new
 * one is made. The HTTP server assigns it, and the request's log lines reuse it.
 */
export const requestId = (req: IncomingMessage): string => {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
};

const requestPath = (req: IncomingMessage & { originalUrl?: string }): string =>
  (req.originalUrl ?? req.url ?? '').split('?')[0];

const writesPretty = ({ format }: LoggingConfig): boolean =>
  format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);

export const loggerParams = (app: 'api' | 'worker', config: LoggingConfig): Params => {
  const options: HttpLoggerOptions = {
    level: config.level,
    base: { app, pid: process.pid },
    redact: logRedaction,
    genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? requestId(req),
    // Inside Nest's middleware `url` is relative to the route it was mounted on; `originalUrl` is the request's.
    autoLogging: { ignore: (req) => QUIET_PATHS.includes(requestPath(req)) },
    serializers: {
      req: (req: {
        id: string;
        method: string;
        url: string;
        remoteAddress?: string;
        headers?: Record<string, unknown>;
      }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
        headers: req.headers,
      }),
    },
  };
  return { pinoHttp: writesPretty(config) ? [options, prettyStream()] : options };
};

/** Structured logs through pino for either app (JSON lines, or readable lines on a terminal); redaction lives in log-redaction.ts alone. */
@Module({})
export class LoggingModule {
  static forRoot(app: 'api' | 'worker'): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<AppConfig, true>) =>
            loggerParams(app, config.get('logging', { infer: true })),
        }),
      ],
      providers: [LogContext, AppLogger],
      exports: [LogContext, AppLogger],
    };
  }
}
