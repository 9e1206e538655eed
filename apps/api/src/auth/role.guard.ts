import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ADMIN_ONLY } from './auth.decorators';

/**
 * Global guard for @AdminOnly(). Authentication itself happened earlier, in
 * the RequestAuthenticator hook; a handler marked admin-only without a
 * principal on its request fails closed.
 */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [context.getHandler(), context.getClass()]);
    if (!adminOnly) return true;
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (!principal) throw new UnauthorizedException('an API key is required');
    if (principal.role !== 'admin') throw new ForbiddenException('this route needs an admin API key');
    return true;
  }
}
