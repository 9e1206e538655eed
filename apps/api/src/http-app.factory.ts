import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { readApiConfig, type AppConfig } from '@sps/config';
import { ApiModule } from './api.module';
import { RequestAuthenticator } from './auth/request-authenticator.hook';
import { HttpErrorFilter } from './http/http-error.filter';
import { hardenRequests } from './http/request-hardening';
import { setupSwagger } from './swagger';
import { validationMessages } from './validation/validation-messages';

const JSON_OVERHEAD_BYTES = 64 * 1024;

/** Builds the HTTP app with everything main.ts needs, so tests can build the same one. */
export const createHttpApp = async (): Promise<NestFastifyApplication> => {
  const limits = readApiConfig();
  // base64 input files grow by 4/3, and JSON escaping can double a string at worst.
  const executionBodyLimit =
    2 * (limits.maxCodeBytes + limits.maxStdinBytes) + Math.ceil((limits.maxInputFileBytes * 4) / 3) * 2 + JSON_OVERHEAD_BYTES;
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule,
    // The parsers' own prototype-poisoning checks stay on, behind parseJsonBody's.
    new FastifyAdapter({ bodyLimit: limits.defaultBodyLimitBytes, onProtoPoisoning: 'error', onConstructorPoisoning: 'error' }),
    // Nest's parsers (JSON, urlencoded) are replaced by the one in hardenRequests.
    { logger: ['error', 'warn', 'log'], bodyParser: false },
  );
  hardenRequests(app, { default: limits.defaultBodyLimitBytes, execution: executionBodyLimit });
  const authenticator = app.get(RequestAuthenticator);
  app.getHttpAdapter().getInstance().addHook('onRequest', (request, reply) => authenticator.handle(request, reply));
  app.useGlobalFilters(new HttpErrorFilter());
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
  app.enableShutdownHooks();
  setupSwagger(app);
  return app;
};

export const listen = async (app: NestFastifyApplication): Promise<void> => {
  const api = app.get(ConfigService<AppConfig, true>).get('api', { infer: true });
  await app.listen(api.port, api.host);
};
