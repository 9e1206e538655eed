import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminKeyBootstrap } from './admin-key.bootstrap';
import { ApiKeyStore } from './api-key.store';
import { ApiKeysService } from './api-keys.service';
import { AuthService } from './auth.service';
import { KeysController } from './keys.controller';
import { RateLimiter } from './rate-limiter.service';
import { RequestAuthenticator } from './request-authenticator.hook';
import { RoleGuard } from './role.guard';

/**
 * API keys, roles and the per-key request rate. The RequestAuthenticator is
 * installed as a Fastify hook by createHttpApp; the RoleGuard is global.
 */
@Module({
  controllers: [KeysController],
  providers: [
    ApiKeyStore,
    ApiKeysService,
    AuthService,
    RateLimiter,
    RequestAuthenticator,
    AdminKeyBootstrap,
    { provide: APP_GUARD, useClass: RoleGuard },
  ],
  exports: [RequestAuthenticator, ApiKeyStore],
})
export class AuthModule {}
