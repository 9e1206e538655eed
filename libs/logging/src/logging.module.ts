import { DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule, Params } from 'nestjs-pino';
import { LogContext } from './log-context';
import { logRedaction } from './log-redaction';

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

export const loggerParams = (app: 'api' | 'worker', level: string): Params => ({
  pinoHttp: {
    level,
    base: { app, pid: process.pid },
    redact: logRedaction,
    genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? requestId(req),
    autoLogging: { ignore: (req) => QUIET_PATHS.includes((req.url ?? '').split('?')[0]) },
    serializers: {
      req: (req: { id: string; method: string; url: string; remoteAddress?: string; headers?: Record<string, unknown> }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
        headers: req.headers,
      }),
    },
  },
});

/** Structured JSON logs through pino for either app; redaction lives in log-redaction.ts alone. */
@Module({})
export class LoggingModule {
  static forRoot(app: 'api' | 'worker'): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<AppConfig, true>) => loggerParams(app, config.get('logging.level', { infer: true })),
        }),
      ],
      providers: [LogContext],
      exports: [LogContext],
    };
  }
}
