import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, EnvReader } from './env-reader';
import { readRedisConfig } from './redis.config';

const read = (env: Record<string, string>) => readRedisConfig(new EnvReader(env));

describe('readRedisConfig', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sps-redis-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has no password when none is set and the data directory holds none', () => {
    expect(read({ DATA_DIR: dir })).toEqual({
      url: 'redis://127.0.0.1:6379',
      password: null,
      prefix: 'sps',
      commandTimeoutMs: 2000,
    });
  });

  it('reads the password the start scripts wrote under DATA_DIR, without its newline', () => {
    writeFileSync(join(dir, 'redis-password'), 'from-the-file\n', { mode: 0o600 });
    expect(read({ DATA_DIR: dir }).password).toBe('from-the-file');
  });

  it('takes REDIS_PASSWORD before any file, and REDIS_PASSWORD_FILE before the default file', () => {
    writeFileSync(join(dir, 'redis-password'), 'default-file');
    writeFileSync(join(dir, 'named'), 'named-file');
    expect(read({ DATA_DIR: dir, REDIS_PASSWORD: 'direct' }).password).toBe('direct');
    expect(read({ DATA_DIR: dir, REDIS_PASSWORD_FILE: join(dir, 'named') }).password).toBe('named-file');
  });

  it('stops start-up when a named password file is missing, unreadable or empty', () => {
    expect(() => read({ REDIS_PASSWORD_FILE: join(dir, 'missing') })).toThrow(
      new ConfigError(`REDIS_PASSWORD_FILE: ${join(dir, 'missing')} cannot be read (ENOENT)`),
    );
    writeFileSync(join(dir, 'empty'), '\n');
    expect(() => read({ REDIS_PASSWORD_FILE: join(dir, 'empty') })).toThrow('is empty');
    writeFileSync(join(dir, 'redis-password'), '');
    expect(() => read({ DATA_DIR: dir })).toThrow('is empty');
  });
});
