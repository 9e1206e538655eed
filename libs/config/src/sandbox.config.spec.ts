import { ConfigError, CPU_COUNT, EnvReader } from './env-reader';
import { readSandboxConfig } from './sandbox.config';

const read = (source: Record<string, string>) => () => readSandboxConfig(new EnvReader(source));

describe('readSandboxConfig', () => {
  it('has safe defaults with no environment at all', () => {
    const config = readSandboxConfig(new EnvReader({}));
    expect(config.allowNetwork).toBe(false);
    expect(config.uidRange).toEqual({ first: 20000, last: 29999 });
    expect(config.defaults).toEqual({ timeoutMs: 10_000, memoryMb: 256, cpus: 1, pids: 64, outputBytes: 1024 * 1024 });
    expect(config.max).toEqual({
      timeoutMs: 60_000,
      memoryMb: 2048,
      cpus: CPU_COUNT,
      pids: 512,
      outputBytes: 8 * 1024 * 1024,
    });
  });

  it('reads every limit from its own variable', () => {
    const config = readSandboxConfig(
      new EnvReader({
        SANDBOX_DEFAULT_TIMEOUT_MS: '5000',
        SANDBOX_DEFAULT_MEMORY_MB: '128',
        SANDBOX_DEFAULT_CPUS: '0.5',
        SANDBOX_DEFAULT_PIDS: '32',
        SANDBOX_DEFAULT_OUTPUT_BYTES: '2048',
        SANDBOX_MAX_TIMEOUT_MS: '9000',
        SANDBOX_MAX_MEMORY_MB: '512',
        SANDBOX_MAX_CPUS: '2',
        SANDBOX_MAX_PIDS: '100',
        SANDBOX_MAX_OUTPUT_BYTES: '4096',
      }),
    );
    expect(config.defaults).toEqual({ timeoutMs: 5000, memoryMb: 128, cpus: 0.5, pids: 32, outputBytes: 2048 });
    expect(config.max).toEqual({ timeoutMs: 9000, memoryMb: 512, cpus: 2, pids: 100, outputBytes: 4096 });
  });

  it('takes a uid range, a single uid included', () => {
    expect(readSandboxConfig(new EnvReader({ SANDBOX_UID_RANGE: '40000-40999' })).uidRange).toEqual({
      first: 40000,
      last: 40999,
    });
    expect(readSandboxConfig(new EnvReader({ SANDBOX_UID_RANGE: '5000-5000' })).uidRange).toEqual({
      first: 5000,
      last: 5000,
    });
  });

  it('turns network on only when asked', () => {
    expect(readSandboxConfig(new EnvReader({ SANDBOX_ALLOW_NETWORK: 'true' })).allowNetwork).toBe(true);
    expect(readSandboxConfig(new EnvReader({ SANDBOX_ALLOW_NETWORK: 'off' })).allowNetwork).toBe(false);
  });

  it.each([
    ['SANDBOX_MAX_MEMORY_MB', 'abc'],
    ['SANDBOX_DEFAULT_TIMEOUT_MS', '1.5'],
    ['SANDBOX_MAX_CPUS', 'lots'],
    ['SANDBOX_ALLOW_NETWORK', 'perhaps'],
    ['SANDBOX_UID_RANGE', 'root'],
    ['SANDBOX_UID_RANGE', '20000'],
    ['SANDBOX_UID_RANGE', '0-100'],
    ['SANDBOX_UID_RANGE', '999-2000'],
    ['SANDBOX_UID_RANGE', '30000-20000'],
    ['SANDBOX_UID_RANGE', '20000-4294967295'],
    ['SANDBOX_RUNTIME', 'runc --privileged'],
    ['SANDBOX_NETWORK', 'host; x'],
  ])('refuses %s=%j with a message naming the variable', (name, value) => {
    expect(read({ [name]: value })).toThrow(ConfigError);
    expect(read({ [name]: value })).toThrow(name);
  });

  it.each([
    ['SANDBOX_DEFAULT_MEMORY_MB', '16', 'at least 32'],
    ['SANDBOX_MAX_PIDS', '100001', 'at most 100000'],
    ['SANDBOX_NOFILE', '8', 'at least 32'],
  ])('refuses %s=%s as out of range', (name, value, bound) => {
    expect(read({ [name]: value })).toThrow(`${name} must be ${bound}, got ${value}`);
  });

  it('refuses a default above its maximum', () => {
    const bad = read({ SANDBOX_DEFAULT_MEMORY_MB: '4096' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow('SANDBOX_DEFAULT_MEMORY_MB (4096) is above SANDBOX_MAX_MEMORY_MB (2048)');
  });

  it('refuses a default above a lowered maximum', () => {
    expect(read({ SANDBOX_MAX_TIMEOUT_MS: '5000' })).toThrow(
      'SANDBOX_DEFAULT_TIMEOUT_MS (10000) is above SANDBOX_MAX_TIMEOUT_MS (5000)',
    );
  });

  it('accepts a default equal to its maximum', () => {
    const config = readSandboxConfig(new EnvReader({ SANDBOX_DEFAULT_PIDS: '512' }));
    expect(config.defaults.pids).toBe(512);
    expect(config.max.pids).toBe(512);
  });
});
