import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { readApiConfig, type AppConfig } from '@sps/config';
import { ApiModule } from './api.module';
import { setupSwagger } from './swagger';
import { validationMessages } from './validation/validation-messages';

const JSON_OVERHEAD_BYTES = 64 * 1024;

/** Builds the HTTP app with everything main.ts needs, so tests can build the same one. */
export const createHttpApp = async (): Promise<NestFastifyApplication> => {
  const limits = readApiConfig();
  // base64 input files grow by 4/3, and JSON escaping can double a string at worst.
  const bodyLimit = 2 * (limits.maxCodeBytes + limits.maxStdinBytes) + Math.ceil((limits.maxInputFileBytes * 4) / 3) * 2 + JSON_OVERHEAD_BYTES;
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule, new FastifyAdapter({ bodyLimit }), {
    logger: ['error', 'warn', 'log'],
  });
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
