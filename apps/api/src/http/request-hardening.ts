import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import './body-limit.decorator'; // declares route.config.bodyLimitName
import { parseJsonBody } from './json-body.parser';

export interface BodyLimits {
  /** Every route without a @BodyLimit. */
  default: number;
  execution: number;
  executionBatch: number;
  sessionFile: number;
}

/**
 * What the API accepts before any controller sees a request:
 * - JSON bodies only, parsed by parseJsonBody (depth, prototype keys, UTF-8);
 *   anything else is 415, and so is a body with a Content-Encoding: compressed
 *   bodies are refused outright, so no decompression bomb can be inflated;
 *   a route marked @RawBody (a session file) takes its body as bytes instead;
 * - a body limit per route (413): small by default, larger where @BodyLimit says.
 * Must run before app.init(), which registers the routes.
 */
export const hardenRequests = (app: NestFastifyApplication, limits: BodyLimits): void => {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const name = route.config?.bodyLimitName;
    route.bodyLimit ??= name ? limits[name] : limits.default;
  });
  fastify.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      throw new UnsupportedMediaTypeException(
        `Content-Encoding "${encoding}" is not accepted: send the body uncompressed`,
      );
    }
  });
  fastify.removeAllContentTypeParsers();
  const isRaw = (request: Pick<FastifyRequest, 'routeOptions'>) => request.routeOptions.config?.rawBody === true;
  app.useBodyParser('application/json', { bodyLimit: limits.default }, (request, body, done) => {
    if (isRaw(request)) return done(null, body);
    try {
      done(null, parseJsonBody(body));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // Any other type, or none: bytes for a raw route, the same 415 as before for every other.
  app.useBodyParser('*', { bodyLimit: limits.default }, (request, body, done) => {
    if (isRaw(request)) return done(null, body);
    const type = request.headers['content-type'] ?? '';
    done(
      new UnsupportedMediaTypeException(`Content-Type ${JSON.stringify(type)} is not accepted: send application/json`),
    );
  });
};
