import { RouteConfig } from '@nestjs/platform-fastify';

/** The named body limits; each is resolved to bytes from the configuration when routes are registered. */
export type BodyLimitName = 'execution';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by @BodyLimit on routes that take more than the default. */
    bodyLimitName?: BodyLimitName;
  }
}

/**
 * Gives a route a larger body limit than the small default every other route
 * has. Applied by the onRoute hook in request-hardening.ts.
 */
export const BodyLimit = (name: BodyLimitName): MethodDecorator => RouteConfig({ bodyLimitName: name });
