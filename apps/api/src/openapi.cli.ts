import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiModule } from './api.module';
import { createOpenApiDocument } from './swagger';

/**
 * Prints the OpenAPI document that GET /docs-json serves, without Redis or
 * Docker: in preview mode Nest reads the module graph and the decorators but
 * instantiates no provider, so nothing connects anywhere.
 */
const main = async (): Promise<void> => {
  const app = await NestFactory.create(ApiModule, new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  process.stdout.write(`${JSON.stringify(createOpenApiDocument(app), null, 2)}\n`);
  await app.close();
};

main().catch((error) => {
  process.stderr.write(`openapi: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
