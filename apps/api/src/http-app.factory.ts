import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { readApiConfig, type AppConfig } from '@sps/config';
import { AppLogger, REQUEST_ID_HEADER, requestId } from '@sps/logging';
import { ApiModule } from './api.module';
import { RequestAuthenticator } from './auth/request-authenticator.hook';
import { HttpErrorFilter } from './http/http-error.filter';
import { QueueErrorsFilter } from './http/queue-errors.filter';
import { installRequestCaps } from './http/request-caps';
import { hardenRequests } from './http/request-hardening';
import { lingerOnEarlyAnswers } from './http/lingering-close';
import { installHttpMetrics } from './metrics/http-metrics.hook';
import { MetricsRegistry } from './metrics/metrics.registry';
import { servePlayground } from './playground/playground.static';
import { setupQueueDashboard } from './queue-dashboard';
import { setupSwagger } from './swagger';
import { createValidationPipe } from './validation/validation.pipe';

const JSON_OVERHEAD_BYTES = 64 * 1024;

/** Builds the HTTP app with everything main.ts needs, so tests can build the same one. */
export const createHttpApp = async (): Promise<NestFastifyApplication> => {
  const limits = readApiConfig();
  // base64 input files grow by 4/3, and JSON escaping can double a string at worst.
  const executionBodyLimit =
    2 * (limits.maxCodeBytes + limits.maxStdinBytes) +
    Math.ceil((limits.maxInputFileBytes * 4) / 3) * 2 +
    JSON_OVERHEAD_BYTES;
  const adapter = new FastifyAdapter({
    bodyLimit: limits.defaultBodyLimitBytes,
    requestIdHeader: false,
    genReqId: requestId,
    // The parsers' own prototype-poisoning checks stay on, behind parseJsonBody's.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  // Nest's parsers (JSON, urlencoded) are replaced by the one in hardenRequests.
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule, adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(AppLogger));
  const fastify = app.getHttpAdapter().getInstance();
  lingerOnEarlyAnswers(fastify.server);
  fastify.addHook('onRequest', async (request, reply) => void reply.header(REQUEST_ID_HEADER, request.id));
  hardenRequests(app, {
    default: limits.defaultBodyLimitBytes,
    execution: executionBodyLimit,
    executionBatch: limits.batchBodyLimitBytes,
    sessionFile: limits.maxInputFileBytes,
  });
  // Before any route, Nest's or a plugin's, and before any body is read: see RequestAuthenticator.
  const authenticator = app.get(RequestAuthenticator);
  fastify.addHook('onRequest', (request, reply) => authenticator.handle(request, reply));
  // After the key is known, before any body is read.
  installRequestCaps(fastify, { maxBodyBytesInFlight: limits.maxBodyBytesInFlight });
  // Nest tries the global filter registered last first: the queue's own errors (429 when full, 503
  // when Redis is away) before the catch-all, which would answer them as a generic 500.
  app.useGlobalFilters(new HttpErrorFilter(), new QueueErrorsFilter());
  app.useGlobalPipes(createValidationPipe());
  installHttpMetrics(fastify, app.get(MetricsRegistry));
  if (limits.queueDashboard) await setupQueueDashboard(app);
  await servePlayground(app);
  setupSwagger(app);
  return app;
};

export const listen = async (app: NestFastifyApplication): Promise<void> => {
  const api = app.get(ConfigService<AppConfig, true>).get('api', { infer: true });
  await app.listen(api.port, api.host);
};

/**
 * On SIGTERM or SIGINT: stop accepting connections and let in-flight requests
 * (long polls included) finish while Redis and the queue listeners are still up,
 * then close the modules and exit 0. Nest's own shutdown hooks would close the
 * modules first, under requests still running.
 */
export const drainOnSignals = (app: NestFastifyApplication, log: (message: string) => void): void => {
  let draining = false;
  const drain = async (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    log(`${signal}: no new connections; draining in-flight requests`);
    try {
      const fastify = app.getHttpAdapter().getInstance();
      const closed = fastify.close();
      // A keep-alive connection goes idle once its last request is answered; close it then, or close() waits for the client.
      const sweep = setInterval(() => fastify.server.closeIdleConnections(), 100);
      await closed;
      clearInterval(sweep);
      await app.close();
      log('drained; exiting');
      process.exit(0);
    } catch (error) {
      log(`shutdown failed: ${(error as Error)?.message ?? error}`);
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void drain(s));
};
