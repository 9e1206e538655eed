import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LIMIT_NAMES, type AppConfig, type AuthConfig, type SandboxConfig } from '@sps/config';
import { ApiKeyRecord, ApiKeyStore } from './api-key.store';
import type { EffectiveQuotas, Principal } from './principal';

/** Every caller when AUTH=off: one tenant, with the default quotas. */
export const ANONYMOUS_KEY_ID = 'anonymous';

export type Authentication = { principal: Principal } | { problem: 'missing' | 'malformed' | 'invalid' };

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

@Injectable()
export class AuthService {
  private readonly auth: AuthConfig;
  private readonly sandbox: SandboxConfig;

  constructor(
    private readonly store: ApiKeyStore,
    config: ConfigService<AppConfig, true>,
  ) {
    this.auth = config.get('auth', { infer: true });
    this.sandbox = config.get('sandbox', { infer: true });
  }

  get enabled(): boolean {
    return this.auth.enabled;
  }

  /** Resolves an Authorization header to the key's principal. */
  async authenticate(header: string | undefined): Promise<Authentication> {
    if (!this.auth.enabled) {
      return {
        principal: { keyId: ANONYMOUS_KEY_ID, name: ANONYMOUS_KEY_ID, role: 'admin', quotas: this.quotasOf({}) },
      };
    }
    if (header === undefined || header === '') return { problem: 'missing' };
    const match = BEARER.exec(header);
    if (!match) return { problem: 'malformed' };
    const record = await this.store.findByKey(match[1]);
    return record ? { principal: this.principalOf(record) } : { problem: 'invalid' };
  }

  principalOf(record: ApiKeyRecord): Principal {
    return { keyId: record.id, name: record.name, role: record.role, quotas: this.quotasOf(record.quotas) };
  }

  private quotasOf(own: ApiKeyRecord['quotas']): EffectiveQuotas {
    const server = this.sandbox.max;
    const maxLimits = { ...server };
    for (const name of LIMIT_NAMES) {
      maxLimits[name] = Math.min(own.maxLimits?.[name] ?? server[name], server[name]);
    }
    return {
      ratePerMinute: own.ratePerMinute ?? this.auth.defaultQuotas.ratePerMinute,
      maxInFlight: own.maxInFlight ?? this.auth.defaultQuotas.maxInFlight,
      maxStoredBytes: own.maxStoredBytes ?? this.auth.defaultQuotas.maxStoredBytes,
      maxConcurrentRequests: own.maxConcurrentRequests ?? this.auth.defaultQuotas.maxConcurrentRequests,
      maxSessions: own.maxSessions ?? this.auth.defaultQuotas.maxSessions,
      maxLimits,
    };
  }
}
