import { ConfigError, EnvReader } from './env-reader';

describe('EnvReader', () => {
  describe('int', () => {
    it('reads an integer', () => {
      expect(new EnvReader({ PORT: '8080' }).int('PORT', 3000)).toBe(8080);
    });

    it.each([
      ['unset', {}],
      ['empty', { PORT: '' }],
    ])('falls back when %s', (_label, source) => {
      expect(new EnvReader(source).int('PORT', 3000)).toBe(3000);
    });

    it.each(['abc', '1.5', '12px', 'NaN', 'Infinity', 'true'])('refuses %j, naming the variable', (raw) => {
      const read = () => new EnvReader({ SANDBOX_MAX_MEMORY_MB: raw }).int('SANDBOX_MAX_MEMORY_MB', 2048);
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(/^SANDBOX_MAX_MEMORY_MB must be an integer/);
      expect(read).toThrow(JSON.stringify(raw));
    });

    it('refuses a value below the minimum, naming the variable and the bound', () => {
      const read = () => new EnvReader({ SANDBOX_UID: '0' }).int('SANDBOX_UID', 10001, { min: 1 });
      expect(read).toThrow(ConfigError);
      expect(read).toThrow('SANDBOX_UID must be at least 1, got 0');
    });

    it('refuses a value above the maximum, naming the variable and the bound', () => {
      const read = () => new EnvReader({ PORT: '65536' }).int('PORT', 3000, { min: 0, max: 65535 });
      expect(read).toThrow('PORT must be at most 65535, got 65536');
    });

    it('accepts both bounds themselves', () => {
      expect(new EnvReader({ A: '1' }).int('A', 5, { min: 1, max: 9 })).toBe(1);
      expect(new EnvReader({ A: '9' }).int('A', 5, { min: 1, max: 9 })).toBe(9);
    });

    it('checks the fallback against the range too', () => {
      expect(() => new EnvReader({}).int('A', 100, { max: 10 })).toThrow('A must be at most 10, got 100');
    });
  });

  describe('number', () => {
    it('reads a fraction', () => {
      expect(new EnvReader({ SANDBOX_DEFAULT_CPUS: '0.5' }).number('SANDBOX_DEFAULT_CPUS', 1)).toBe(0.5);
    });

    it.each(['abc', 'Infinity', '-Infinity', '1,5'])('refuses %j, naming the variable', (raw) => {
      const read = () => new EnvReader({ SANDBOX_MAX_CPUS: raw }).number('SANDBOX_MAX_CPUS', 1);
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(/^SANDBOX_MAX_CPUS must be a number/);
    });

    it('refuses a value out of range, naming the variable', () => {
      expect(() => new EnvReader({ SANDBOX_MAX_CPUS: '0.001' }).number('SANDBOX_MAX_CPUS', 1, { min: 0.01 })).toThrow(
        'SANDBOX_MAX_CPUS must be at least 0.01, got 0.001',
      );
    });
  });

  describe('bool', () => {
    it.each(['1', 'true', 'TRUE', 'True', 'yes', 'YES', 'on', 'On'])('reads %j as true', (raw) => {
      expect(new EnvReader({ FLAG: raw }).bool('FLAG', false)).toBe(true);
    });

    it.each(['0', 'false', 'FALSE', 'no', 'No', 'off', 'OFF'])('reads %j as false', (raw) => {
      expect(new EnvReader({ FLAG: raw }).bool('FLAG', true)).toBe(false);
    });

    it.each([
      ['unset', {}, true],
      ['unset', {}, false],
      ['empty', { FLAG: '' }, true],
      ['empty', { FLAG: '' }, false],
    ])('falls back when %s (fallback %s)', (_label, source, fallback) => {
      expect(new EnvReader(source).bool('FLAG', fallback)).toBe(fallback);
    });

    it.each(['maybe', '2', 'y', 'enabled'])('refuses %j, naming the variable', (raw) => {
      const read = () => new EnvReader({ SANDBOX_ALLOW_NETWORK: raw }).bool('SANDBOX_ALLOW_NETWORK', false);
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(/^SANDBOX_ALLOW_NETWORK must be true or false/);
    });
  });

  describe('string', () => {
    it('reads a value and falls back when unset or empty', () => {
      expect(new EnvReader({ HOST: '127.0.0.1' }).string('HOST', '0.0.0.0')).toBe('127.0.0.1');
      expect(new EnvReader({}).string('HOST', '0.0.0.0')).toBe('0.0.0.0');
      expect(new EnvReader({ HOST: '' }).string('HOST', '0.0.0.0')).toBe('0.0.0.0');
    });

    it('refuses a value that does not match the pattern, naming the variable', () => {
      const read = () =>
        new EnvReader({ SANDBOX_RUNTIME: 'runc; rm -rf /' }).string('SANDBOX_RUNTIME', 'runc', /^[a-z]+$/);
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(/^SANDBOX_RUNTIME="runc; rm -rf \/" must match/);
    });
  });

  it('reads process.env when given no source', () => {
    process.env.SPS_ENV_READER_SPEC = '17';
    try {
      expect(new EnvReader().int('SPS_ENV_READER_SPEC', 0)).toBe(17);
    } finally {
      delete process.env.SPS_ENV_READER_SPEC;
    }
  });
});

describe('EnvReader number syntax', () => {
  it.each([' ', ' 42 ', '0x10', '0b11', '1e3', '4.0'])('refuses %j as an integer', (raw) => {
    expect(() => new EnvReader({ X: raw }).int('X', 1)).toThrow('X must be an integer');
  });

  it.each(['0x1', '1e2', ' 1'])('refuses %j as a number', (raw) => {
    expect(() => new EnvReader({ X: raw }).number('X', 1)).toThrow('X must be a number');
  });

  it('reads plain decimals', () => {
    expect(new EnvReader({ X: '0.25' }).number('X', 1)).toBe(0.25);
    expect(new EnvReader({ X: '-3' }).int('X', 1)).toBe(-3);
  });
});
