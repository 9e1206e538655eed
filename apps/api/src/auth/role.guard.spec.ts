import { Controller, ForbiddenException, Get, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AdminOnly } from './auth.decorators';
import type { Principal } from './principal';
import { RoleGuard } from './role.guard';

@Controller('open')
class OpenController {
  @Get() read() {}
  @AdminOnly() @Get('x') manage() {}
}

@AdminOnly()
@Controller('closed')
class ClosedController {
  @Get() read() {}
}

const as = (role: 'admin' | 'user'): Principal => ({
  keyId: role,
  name: role,
  role,
  quotas: {
    ratePerMinute: 1,
    maxInFlight: 1,
    maxStoredBytes: 1024 * 1024,
    maxConcurrentRequests: 10,
    maxSessions: 1,
    maxLimits: { timeoutMs: 1, memoryMb: 1, cpus: 1, pids: 1, outputBytes: 1 },
  },
});

const context = (controller: new () => object, handler: string, principal?: Principal) =>
  ({
    getClass: () => controller,
    getHandler: () => (controller.prototype as Record<string, unknown>)[handler],
    switchToHttp: () => ({ getRequest: () => ({ principal }) }),
  }) as any;

describe('RoleGuard', () => {
  const guard = new RoleGuard(new Reflector());

  it('lets any authenticated key through a handler without @AdminOnly()', () => {
    expect(guard.canActivate(context(OpenController, 'read', as('user')))).toBe(true);
  });

  it.each([
    ['a handler', OpenController, 'manage'],
    ['a controller', ClosedController, 'read'],
  ])('refuses a user key with 403 where %s is @AdminOnly()', (_label, controller, handler) => {
    expect(() => guard.canActivate(context(controller, handler, as('user')))).toThrow(ForbiddenException);
    expect(guard.canActivate(context(controller, handler, as('admin')))).toBe(true);
  });

  it('fails closed when an @AdminOnly() handler has no principal at all', () => {
    expect(() => guard.canActivate(context(OpenController, 'manage'))).toThrow(UnauthorizedException);
  });
});
