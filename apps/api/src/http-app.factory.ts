import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { readApiConfig, type AppConfig } from '@sps/config';
import { REQUEST_ID_HEADER, requestId } from '@sps/logging';
import { Logger } from 'nestjs-pino';
import { ApiModule } from './api.module';
import { installHttpMetrics } from './metrics/http-metrics.hook';
import { MetricsRegistry } from './metrics/metrics.registry';
import { setupQueueDashboard } from './queue-dashboard';
import { setupSwagger } from './swagger';
import { validationMessages } from './validation/validation-messages';

const JSON_OVERHEAD_BYTES = 64 * 1024;

/** Builds the HTTP app with everything main.ts needs, so tests can build the same one. */
export const createHttpApp = async (): Promise<NestFastifyApplication> => {
  const limits = readApiConfig();
  // base64 input files grow by 4/3, and JSON escaping can double a string at worst.
  const bodyLimit = 2 * (limits.maxCodeBytes + limits.maxStdinBytes) + Math.ceil((limits.maxInputFileBytes * 4) / 3) * 2 + JSON_OVERHEAD_BYTES;
  const adapter = new FastifyAdapter({ bodyLimit, requestIdHeader: false, genReqId: requestId });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => void reply.header(REQUEST_ID_HEADER, request.id));
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new BadRequestException(validationMessages(errors)),
    }),
  );
  installHttpMetrics(fastify, app.get(MetricsRegistry));
  if (limits.queueDashboard) await setupQueueDashboard(app);
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
