import { readAuthConfig } from './auth.config';
import { ConfigError, EnvReader } from './env-reader';

const read = (env: Record<string, string>) => readAuthConfig(new EnvReader(env));

describe('readAuthConfig', () => {
  it('is on by default, with no bootstrap key, protected metrics and the default quotas', () => {
    expect(read({})).toEqual({
      enabled: true,
      adminApiKey: null,
      adminKeyFile: '.data/admin-key',
      defaultQuotas: {
        ratePerMinute: 600,
        maxInFlight: 100,
        maxStoredBytes: 256 * 1024 * 1024,
        maxConcurrentRequests: 100,
        maxSessions: 5,
      },
      publicMetrics: false,
    });
  });

  it.each(['off', 'false', '0', 'no'])('turns auth off with AUTH=%s', (value) => {
    expect(read({ AUTH: value }).enabled).toBe(false);
  });

  it('puts the admin key file under DATA_DIR unless ADMIN_KEY_FILE says otherwise', () => {
    expect(read({ DATA_DIR: '/var/lib/sps' }).adminKeyFile).toBe('/var/lib/sps/admin-key');
    expect(read({ DATA_DIR: '/var/lib/sps', ADMIN_KEY_FILE: '/run/secrets/k' }).adminKeyFile).toBe('/run/secrets/k');
  });

  it('takes a strong ADMIN_API_KEY', () => {
    expect(read({ ADMIN_API_KEY: 'x'.repeat(24) }).adminApiKey).toBe('x'.repeat(24));
  });

  it.each([
    ['too short', 'short-key'],
    ['with a space', 'a key with spaces in it, long enough'],
    ['with a newline', `${'k'.repeat(30)}\n`],
  ])('refuses an ADMIN_API_KEY %s, without echoing it', (_label, value) => {
    const attempt = () => read({ ADMIN_API_KEY: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('ADMIN_API_KEY must be 24 to 256 printable characters without spaces');
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain(value.trim());
    }
  });

  it.each([
    ['QUOTA_RATE_PER_MINUTE', '0'],
    ['QUOTA_MAX_IN_FLIGHT', 'lots'],
    ['METRICS_PUBLIC', 'maybe'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => read({ [name]: value })).toThrow(name);
  });
});
