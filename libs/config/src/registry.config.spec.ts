import { ConfigError, EnvReader } from './env-reader';
import { readRegistryConfig } from './registry.config';

const read = (env: Record<string, string>) => readRegistryConfig(new EnvReader(env));

describe('registry settings', () => {
  it('are off by default: every worker builds its own images', () => {
    expect(read({})).toEqual({ url: null, username: null, password: null, fallbackBuild: false, timeoutMs: 600_000 });
  });

  it.each(['127.0.0.1:5000', 'localhost', 'registry.example.com', 'registry:5000', 'registry.example.com/team/sps'])(
    'take the registry %s as Docker names it',
    (url) => expect(read({ REGISTRY_URL: url }).url).toBe(url),
  );

  it.each([
    'https://registry.example.com',
    'sps-registry',
    'user:secret@registry.example.com',
    'Registry.example.com',
    'a b.com',
  ])('refuse %s, without echoing it', (url) => {
    expect(() => read({ REGISTRY_URL: url })).toThrow(ConfigError);
    expect(() => read({ REGISTRY_URL: url })).toThrow(/^REGISTRY_URL must name a registry/);
    expect(() => read({ REGISTRY_URL: url })).not.toThrow(url);
  });

  it('take credentials only in pairs and only with a registry, and never say the password', () => {
    const password = 'hunter2-very-secret';
    expect(read({ REGISTRY_URL: 'r.example.com', REGISTRY_USERNAME: 'ci', REGISTRY_PASSWORD: password })).toMatchObject(
      {
        username: 'ci',
        password,
      },
    );
    for (const env of <Record<string, string>[]>[
      { REGISTRY_URL: 'r.example.com', REGISTRY_PASSWORD: password },
      { REGISTRY_URL: 'r.example.com', REGISTRY_USERNAME: 'ci' },
      { REGISTRY_USERNAME: 'ci', REGISTRY_PASSWORD: password },
    ]) {
      expect(() => read(env)).toThrow(ConfigError);
      expect(() => read(env)).not.toThrow(password);
    }
  });

  it('read REGISTRY_FALLBACK_BUILD and REGISTRY_TIMEOUT_MS', () => {
    expect(read({ REGISTRY_FALLBACK_BUILD: 'true', REGISTRY_TIMEOUT_MS: '30000' })).toMatchObject({
      fallbackBuild: true,
      timeoutMs: 30_000,
    });
    expect(() => read({ REGISTRY_TIMEOUT_MS: '5' })).toThrow('REGISTRY_TIMEOUT_MS must be at least 10000');
  });
});
