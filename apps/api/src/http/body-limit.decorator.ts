import { RouteConfig } from '@nestjs/platform-fastify';

/** The named body limits; each is resolved to bytes from the configuration when routes are registered. */
export type BodyLimitName = 'execution' | 'executionBatch' | 'sessionFile';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by @BodyLimit on routes that take more than the default. */
    bodyLimitName?: BodyLimitName;
    /** Set by @RawBody: the body is taken as bytes, whatever its content type. */
    rawBody?: boolean;
  }
}

/**
 * Gives a route a larger body limit than the small default every other route
 * has. Applied by the onRoute hook in request-hardening.ts.
 */
export const BodyLimit = (name: BodyLimitName): MethodDecorator => RouteConfig({ bodyLimitName: name });

/**
 * A route whose body is a file: taken as its bytes, never parsed, whatever its
 * Content-Type says, under the named limit. Every other route stays JSON only.
 */
export const RawBody = (name: BodyLimitName): MethodDecorator => RouteConfig({ bodyLimitName: name, rawBody: true });
