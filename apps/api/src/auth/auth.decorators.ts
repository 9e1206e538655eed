import { createParamDecorator, ExecutionContext, SetMetadata, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';

export const ADMIN_ONLY = 'sps:admin-only';

/**
 * Only admin keys may call this handler (or every handler of this controller);
 * a user key gets 403. Every route already needs some key: this narrows it.
 */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ONLY, true);

/** The principal the request was authenticated as. Fails closed if there is none. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) throw new UnauthorizedException('an API key is required');
  return principal;
});
