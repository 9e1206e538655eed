import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document of every REST route; the typed client (libs/client) is generated from it. */
export const createOpenApiDocument = (app: INestApplication): OpenAPIObject =>
  SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('SimplePySandbox')
      .setDescription('Runs untrusted Python code, each job in its own fresh, locked-down container.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' })
      .build(),
  );

export const setupSwagger = (app: INestApplication): void => {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app));
};
