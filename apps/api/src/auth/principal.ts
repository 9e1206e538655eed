import type { SandboxLimits } from '@sps/config';
import type { ApiKeyRole } from './api-key.store';

/** A key's quotas with every default and server maximum applied. */
export interface EffectiveQuotas {
  ratePerMinute: number;
  maxInFlight: number;
  maxStoredBytes: number;
  maxConcurrentRequests: number;
  /** Sessions open at once. */
  maxSessions: number;
  /** The highest limits this key may ask for: its own, never above the server's. */
  maxLimits: SandboxLimits;
}

/** Who is calling: the API key a request was authenticated with. */
export interface Principal {
  keyId: string;
  name: string;
  role: ApiKeyRole;
  quotas: EffectiveQuotas;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the RequestAuthenticator hook on every route that is not public. */
    principal?: Principal;
  }
}
