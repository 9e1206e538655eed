import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { withRedis } from '@sps/redis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isPlaygroundRoute } from '../playground/playground.routes';
import { AuthService } from './auth.service';
import { RateLimiter } from './rate-limiter.service';

const PROBLEMS = {
  missing: 'an API key is required: send "Authorization: Bearer <key>"',
  malformed: 'the Authorization header must be "Bearer <key>"',
  invalid: 'the API key is not valid (unknown or revoked)',
} as const;

/**
 * Authenticates every request as a Fastify onRequest hook, before the body is
 * read or parsed and whoever registered the route: Nest controllers and plain
 * Fastify plugins (Bull Board, say) alike. Deny by default: only the routes
 * listed in `isPublic` are reachable without a key, and every route under
 * /admin/ needs an admin key. Finer role checks use @AdminOnly() on handlers.
 *
 * Decisions use the route's registered pattern, not the raw URL, so a path
 * spelled oddly ("/health/../v1/...", "//v1") cannot pass for a public one.
 */
@Injectable()
export class RequestAuthenticator {
  private readonly logger = new Logger(RequestAuthenticator.name);
  private readonly publicMetrics: boolean;

  constructor(
    private readonly auth: AuthService,
    private readonly rateLimiter: RateLimiter,
    config: ConfigService<AppConfig, true>,
  ) {
    this.publicMetrics = config.get('auth.publicMetrics', { infer: true });
  }

  isPublic(route: string | undefined): boolean {
    if (route === undefined) return false; // no route matched: a 404 is for callers with a key only
    if (
      route.startsWith('/health/') ||
      route === '/docs' ||
      route.startsWith('/docs/') ||
      route === '/docs-json' ||
      route === '/docs-yaml'
    ) {
      return true;
    }
    // Static files: the page asks for a key itself, and sends it with every API call.
    if (isPlaygroundRoute(route)) return true;
    return this.publicMetrics && route === '/metrics';
  }

  static isAdminArea(route: string): boolean {
    return route === '/admin' || route.startsWith('/admin/');
  }

  async handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
    const route = request.is404 ? undefined : request.routeOptions.url;
    if (this.isPublic(route)) return;
    // Redis away is a 503 (RedisUnavailableError, answered by QueueErrorsFilter), never a 401 or a bare 500.
    const result = await withRedis(() => this.auth.authenticate(request.headers.authorization));
    if ('problem' in result) {
      reply.header('www-authenticate', 'Bearer realm="SimplePySandbox"');
      return this.refuse(reply, 401, PROBLEMS[result.problem]);
    }
    const { principal } = result;
    if (route !== undefined && RequestAuthenticator.isAdminArea(route) && principal.role !== 'admin') {
      return this.refuse(reply, 403, 'this route needs an admin API key');
    }
    const rate = await withRedis(() => this.rateLimiter.consume(principal.keyId, principal.quotas.ratePerMinute));
    if (!rate.allowed) {
      const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
      this.logger.warn(
        `key ${principal.keyId} (${principal.name}) is over its rate of ${principal.quotas.ratePerMinute}/min`,
      );
      reply.header('retry-after', String(seconds));
      return this.refuse(
        reply,
        429,
        `rate limit of ${principal.quotas.ratePerMinute} requests per minute exceeded; retry in ${seconds} s`,
      );
    }
    request.principal = principal;
  }

  private refuse(reply: FastifyReply, statusCode: 401 | 403 | 429, message: string): FastifyReply {
    const error = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests' }[statusCode];
    // Hooks run outside Nest's exception layer, so the body is written here, in the same shape.
    // Returning the reply tells Fastify the request is answered: nothing after this hook runs.
    return reply.code(statusCode).send({ statusCode, message, error });
  }
}
