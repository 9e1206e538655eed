import { EnvReader, readAuthConfig, readSandboxConfig } from '@sps/config';
import type { ApiKeyRecord, ApiKeyStore } from './api-key.store';
import { ANONYMOUS_KEY_ID, AuthService } from './auth.service';

const ALICE: ApiKeyRecord = {
  id: 'k-alice',
  name: 'alice',
  role: 'user',
  quotas: { ratePerMinute: 5, maxSessions: 2, maxLimits: { memoryMb: 128, timeoutMs: 10_000_000 } },
  createdAt: '2026-01-01T00:00:00.000Z',
};

const serviceWith = (env: Record<string, string> = {}) => {
  const presented: string[] = [];
  const store = {
    findByKey: async (key: string) => {
      presented.push(key);
      return key === 'sps_alice' ? ALICE : null;
    },
  } as unknown as ApiKeyStore;
  const auth = readAuthConfig(new EnvReader(env));
  const sandbox = readSandboxConfig(new EnvReader({ SANDBOX_MAX_CPUS: '4' }));
  const config = { get: (key: string) => ({ auth, sandbox })[key as 'auth' | 'sandbox'] };
  return { service: new AuthService(store, config as any), presented, sandbox };
};

describe('AuthService.authenticate', () => {
  it.each([[undefined], ['']])('calls a missing header (%j) missing', async (header) => {
    expect(await serviceWith().service.authenticate(header)).toEqual({ problem: 'missing' });
  });

  it.each(['sps_alice', 'Basic c3BzX2FsaWNl', 'Bearer', 'Bearer ', 'Bearer a b', 'Token sps_alice'])(
    'calls %j malformed',
    async (header) => {
      const { service, presented } = serviceWith();
      expect(await service.authenticate(header)).toEqual({ problem: 'malformed' });
      expect(presented).toEqual([]);
    },
  );

  it.each(['Bearer sps_alice', 'bearer sps_alice', 'BEARER  sps_alice ', 'Bearer\tsps_alice'])(
    'accepts %j',
    async (header) => {
      const result = await serviceWith().service.authenticate(header);
      expect('principal' in result && result.principal.keyId).toBe('k-alice');
    },
  );

  it('calls an unknown key invalid', async () => {
    expect(await serviceWith().service.authenticate('Bearer sps_nobody')).toEqual({ problem: 'invalid' });
  });

  it("merges the key's quotas with the defaults, and never lets them pass the server's maxima", async () => {
    const { service, sandbox } = serviceWith({ QUOTA_MAX_IN_FLIGHT: '7', QUOTA_MAX_SESSIONS: '9' });
    const result = await service.authenticate('Bearer sps_alice');
    if (!('principal' in result)) throw new Error('not authenticated');
    expect(result.principal.quotas).toEqual({
      ratePerMinute: 5,
      maxInFlight: 7,
      maxStoredBytes: 256 * 1024 * 1024,
      maxConcurrentRequests: 100,
      maxSessions: 2,
      maxLimits: { ...sandbox.max, memoryMb: 128, timeoutMs: sandbox.max.timeoutMs },
    });
  });

  it('lets everyone in as one anonymous admin when AUTH=off, without looking at any header', async () => {
    const { service, presented } = serviceWith({ AUTH: 'off', QUOTA_RATE_PER_MINUTE: '9' });
    const result = await service.authenticate(undefined);
    if (!('principal' in result)) throw new Error('not authenticated');
    expect(result.principal).toMatchObject({ keyId: ANONYMOUS_KEY_ID, role: 'admin', quotas: { ratePerMinute: 9 } });
    expect(presented).toEqual([]);
  });
});
