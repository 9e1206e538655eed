import { BadRequestException } from '@nestjs/common';
import { EnvReader, readApiConfig, readSandboxConfig } from '@sps/config';
import type { Principal } from '../auth/principal';
import type { CreateExecutionDto } from './dto/create-execution.dto';
import { ExecutionRequestPolicy } from './execution-request.policy';

type Env = Record<string, string>;

/** A key with no limits of its own: the server's maxima decide, as before keys existed. */
const OWNER: Principal = {
  keyId: 'k-owner',
  name: 'owner',
  role: 'user',
  quotas: {
    ratePerMinute: 60,
    maxInFlight: 10,
    maxStoredBytes: 1024 * 1024,
    maxConcurrentRequests: 10,
    maxSessions: 5,
    maxLimits: { timeoutMs: Infinity, memoryMb: Infinity, cpus: Infinity, pids: Infinity, outputBytes: Infinity },
  },
};

const policyWith = (apiEnv: Env = {}, sandboxEnv: Env = {}): ExecutionRequestPolicy => {
  const api = readApiConfig(new EnvReader(apiEnv));
  const sandbox = readSandboxConfig(new EnvReader(sandboxEnv));
  const stub = {
    get: (key: string) => {
      if (key === 'api') return api;
      if (key === 'sandbox') return sandbox;
      throw new Error(`unexpected config key ${key}`);
    },
  };
  return new ExecutionRequestPolicy(stub as any);
};

const request = (fields: Partial<CreateExecutionDto> = {}): CreateExecutionDto => ({ code: 'print(1)', ...fields });

/** The messages of the BadRequestException that toJobData throws; fails the test if it does not throw one. */
const problemsOf = (policy: ExecutionRequestPolicy, dto: CreateExecutionDto, owner: Principal = OWNER): string[] => {
  try {
    policy.toJobData(dto, owner);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    const body = (error as BadRequestException).getResponse() as { message: unknown };
    expect(Array.isArray(body.message)).toBe(true);
    return body.message as string[];
  }
  throw new Error('toJobData accepted the request');
};

describe('ExecutionRequestPolicy.toJobData', () => {
  describe('a minimal request', () => {
    const policy = policyWith();
    const sandbox = readSandboxConfig(new EnvReader({}));

    it('fills in every default', () => {
      const data = policy.toJobData(request(), OWNER);
      expect(data).toEqual({
        ownerKeyId: 'k-owner',
        code: 'print(1)',
        stdin: '',
        args: [],
        files: [],
        limits: sandbox.defaults,
        network: false,
        environment: 'default',
        createdAt: expect.any(String),
      });
    });

    it('stamps the creation time', () => {
      const before = Date.now();
      const created = Date.parse(policy.toJobData(request(), OWNER).createdAt);
      expect(created).toBeGreaterThanOrEqual(before);
      expect(created).toBeLessThanOrEqual(Date.now());
    });

    it('gives each job its own copy of the default limits', () => {
      const data = policy.toJobData(request(), OWNER);
      data.limits.memoryMb = 1;
      expect(policy.toJobData(request(), OWNER).limits.memoryMb).toBe(sandbox.defaults.memoryMb);
    });
  });

  it('passes through the fields it was given', () => {
    const data = policyWith().toJobData(
      request({ code: 'x = 1', stdin: 'in', args: ['--flag', ''], environment: 'scipy' }),
      OWNER,
    );
    expect(data).toMatchObject({ code: 'x = 1', stdin: 'in', args: ['--flag', ''], environment: 'scipy' });
  });

  describe('limits', () => {
    it('takes a requested limit and keeps the defaults for the rest', () => {
      const sandbox = readSandboxConfig(new EnvReader({}));
      const data = policyWith().toJobData(request({ limits: { memoryMb: 512, cpus: 0.25 } }), OWNER);
      expect(data.limits).toEqual({ ...sandbox.defaults, memoryMb: 512, cpus: 0.25 });
    });

    it('accepts a limit equal to the maximum', () => {
      const data = policyWith({}, { SANDBOX_MAX_MEMORY_MB: '1024' }).toJobData(
        request({ limits: { memoryMb: 1024 } }),
        OWNER,
      );
      expect(data.limits.memoryMb).toBe(1024);
    });

    it('refuses a limit over the maximum, naming it', () => {
      const problems = problemsOf(
        policyWith({}, { SANDBOX_MAX_MEMORY_MB: '1024' }),
        request({ limits: { memoryMb: 1025 } }),
      );
      expect(problems).toEqual(["limits.memoryMb must not be greater than 1024 (the server's maximum)"]);
    });

    it('names every limit that is over its maximum', () => {
      const sandbox = readSandboxConfig(new EnvReader({}));
      const problems = problemsOf(
        policyWith(),
        request({ limits: { timeoutMs: sandbox.max.timeoutMs + 1, pids: sandbox.max.pids + 1, outputBytes: 1 } }),
      );
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^limits\.timeoutMs /);
      expect(problems[1]).toMatch(/^limits\.pids /);
    });
  });

  describe('sizes', () => {
    it('accepts code of exactly MAX_CODE_BYTES', () => {
      const code = 'x'.repeat(1024);
      expect(policyWith({ MAX_CODE_BYTES: '1024' }).toJobData(request({ code }), OWNER).code).toBe(code);
    });

    it('refuses code over MAX_CODE_BYTES', () => {
      expect(problemsOf(policyWith({ MAX_CODE_BYTES: '1024' }), request({ code: 'x'.repeat(1025) }))).toEqual([
        'code must be at most 1024 bytes',
      ]);
    });

    it('counts code in UTF-8 bytes, not characters', () => {
      const code = 'é'.repeat(513);
      expect(code.length).toBeLessThan(1024);
      expect(problemsOf(policyWith({ MAX_CODE_BYTES: '1024' }), request({ code }))).toEqual([
        'code must be at most 1024 bytes',
      ]);
    });

    it('refuses stdin over MAX_STDIN_BYTES', () => {
      expect(problemsOf(policyWith({ MAX_STDIN_BYTES: '4' }), request({ stdin: 'abcde' }))).toEqual([
        'stdin must be at most 4 bytes',
      ]);
    });

    it('refuses too many args and an over-long arg', () => {
      const problems = problemsOf(
        policyWith({ MAX_ARGS: '2', MAX_ARG_BYTES: '3' }),
        request({ args: ['a', 'abcd', 'c'] }),
      );
      expect(problems).toEqual(['args must have at most 2 entries', 'args.1 must be at most 3 bytes']);
    });
  });

  it('refuses NUL in an arg, naming its index', () => {
    expect(problemsOf(policyWith(), request({ args: ['ok', 'a\0b'] }))).toEqual(['args.1 must not contain NUL']);
  });

  describe('network', () => {
    it('refuses network when the server does not allow it', () => {
      expect(problemsOf(policyWith(), request({ network: true }))).toEqual([
        'network must be false: network access is disabled on this server',
      ]);
    });

    it('grants network when SANDBOX_ALLOW_NETWORK=true', () => {
      expect(
        policyWith({}, { SANDBOX_ALLOW_NETWORK: 'true' }).toJobData(request({ network: true }), OWNER).network,
      ).toBe(true);
    });

    it('accepts network false on a server that does not allow network', () => {
      expect(policyWith().toJobData(request({ network: false }), OWNER).network).toBe(false);
    });
  });

  describe('files', () => {
    it('stores utf8 and base64 contents alike as base64 data', () => {
      const data = policyWith().toJobData(
        request({
          files: [
            { path: 'a.txt', content: 'héllo\n' },
            { path: 'b.txt', content: 'héllo\n', encoding: 'utf8' },
            { path: 'c.bin', content: Buffer.from([0, 255, 1]).toString('base64'), encoding: 'base64' },
          ],
        }),
        OWNER,
      );
      expect(data.files).toEqual([
        { path: 'a.txt', data: Buffer.from('héllo\n', 'utf8').toString('base64') },
        { path: 'b.txt', data: Buffer.from('héllo\n', 'utf8').toString('base64') },
        { path: 'c.bin', data: 'AP8B' },
      ]);
    });

    it.each([
      ['../etc/passwd', 'must not contain "." or ".." segments'],
      ['/etc/passwd', 'must be relative'],
      ['a/../../b', 'must not contain "." or ".." segments'],
      ['..\\x', 'must use "/" as the separator'],
      ['a\0b', 'must not contain control characters or NUL'],
    ])('refuses the path %j, naming files.0.path', (path, problem) => {
      expect(problemsOf(policyWith(), request({ files: [{ path, content: 'x' }] }))).toEqual([
        `files.0.path ${problem}`,
      ]);
    });

    it('names the index of the bad file', () => {
      const files = [
        { path: 'ok.txt', content: '' },
        { path: '../escape', content: '' },
      ];
      expect(problemsOf(policyWith(), request({ files }))).toEqual([
        'files.1.path must not contain "." or ".." segments',
      ]);
    });

    it('refuses an input file named main.py, which is where the code goes', () => {
      const files = [
        { path: 'main.py', content: 'print(1)' },
        { path: 'lib/main.py', content: '' },
      ];
      expect(problemsOf(policyWith(), request({ files }))).toEqual([
        'files.0.path "main.py" is where the code itself goes',
      ]);
    });

    it('refuses a path beneath main.py, which is a file', () => {
      const files = [
        { path: 'main.pyc', content: '' },
        { path: 'main.py/x', content: '' },
      ];
      expect(problemsOf(policyWith(), request({ files }))).toEqual([
        'files.1.path "main.py" is where the code itself goes',
      ]);
    });

    it('refuses a duplicate path, naming the later file', () => {
      const files = [
        { path: 'a.txt', content: '1' },
        { path: 'b.txt', content: '2' },
        { path: 'a.txt', content: '3' },
      ];
      expect(problemsOf(policyWith(), request({ files }))).toEqual(['files.2.path duplicates an earlier file']);
    });

    it.each([
      ['the file first', ['a', 'a/b']],
      ['the file last', ['a/b', 'a']],
      ['a deeper path', ['x/y', 'x/y/z/w']],
    ])('refuses a path beneath another input file, with %s', (_label, paths) => {
      const files = paths.map((path) => ({ path, content: '' }));
      const beneath = paths.findIndex(
        (path) => path.includes('/') && paths.some((other) => path.startsWith(`${other}/`)),
      );
      expect(problemsOf(policyWith(), request({ files }))).toEqual([
        `files.${beneath}.path is beneath another input file`,
      ]);
    });

    it('accepts siblings that share a prefix but not a directory', () => {
      const files = [
        { path: 'a', content: '' },
        { path: 'ab/c', content: '' },
        { path: 'a.d/e', content: '' },
      ];
      expect(
        policyWith()
          .toJobData(request({ files }), OWNER)
          .files.map((f) => f.path),
      ).toEqual(['a', 'ab/c', 'a.d/e']);
    });

    it.each(['not base64!', 'YWJj=', 'YW Jj', 'YWJ', 'YW=j', 'Y===', '====', 'YWJj\n'])(
      'refuses the invalid base64 %j',
      (content) => {
        expect(problemsOf(policyWith(), request({ files: [{ path: 'f', content, encoding: 'base64' }] }))).toEqual([
          'files.0.content must be valid base64',
        ]);
      },
    );

    it('accepts base64 of many megabytes, where a regular expression ran out of stack', () => {
      const content = Buffer.alloc(6 * 1024 * 1024, 7).toString('base64');
      const data = policyWith({ MAX_INPUT_FILES_BYTES: String(8 * 1024 * 1024) }).toJobData(
        request({ files: [{ path: 'big.bin', content, encoding: 'base64' }] }),
        OWNER,
      );
      expect(data.files[0].data).toBe(content);
    });

    it.each(['', 'YQ==', 'YWI=', 'YWJj', '+/+/'])('accepts the valid base64 %j', (content) => {
      expect(
        policyWith().toJobData(request({ files: [{ path: 'f', content, encoding: 'base64' }] }), OWNER).files,
      ).toHaveLength(1);
    });

    it('does not check utf8 content as base64', () => {
      const data = policyWith().toJobData(request({ files: [{ path: 'f', content: 'not base64!' }] }), OWNER);
      expect(Buffer.from(data.files[0].data, 'base64').toString('utf8')).toBe('not base64!');
    });

    it('refuses more files than MAX_INPUT_FILES', () => {
      const files = ['a', 'b', 'c'].map((path) => ({ path, content: '' }));
      expect(problemsOf(policyWith({ MAX_INPUT_FILES: '2' }), request({ files }))).toEqual([
        'files must have at most 2 entries',
      ]);
    });

    it('refuses files whose decoded total is over MAX_INPUT_FILES_BYTES', () => {
      // 8 base64 characters decode to 6 bytes; 6 + 5 = 11 is over 10.
      const files = [
        { path: 'a', content: Buffer.alloc(6).toString('base64'), encoding: 'base64' as const },
        { path: 'b', content: 'hello' },
      ];
      expect(problemsOf(policyWith({ MAX_INPUT_FILES_BYTES: '10' }), request({ files }))).toEqual([
        'files must total at most 10 bytes',
      ]);
    });

    it('accepts files whose decoded total is exactly MAX_INPUT_FILES_BYTES', () => {
      const files = [
        { path: 'a', content: Buffer.alloc(6).toString('base64'), encoding: 'base64' as const },
        { path: 'b', content: 'abcd' },
      ];
      expect(policyWith({ MAX_INPUT_FILES_BYTES: '10' }).toJobData(request({ files }), OWNER).files).toHaveLength(2);
    });
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(
      policyWith({ MAX_CODE_BYTES: '1024' }),
      request({
        code: 'x'.repeat(2000),
        network: true,
        args: ['\0'],
        files: [{ path: '/abs', content: '' }],
        limits: { pids: 1_000_000 },
      }),
    );
    expect(problems).toEqual([
      'code must be at most 1024 bytes',
      'args.0 must not contain NUL',
      'network must be false: network access is disabled on this server',
      "limits.pids must not be greater than 512 (the server's maximum)",
      'files.0.path must be relative',
    ]);
  });

  describe("the caller's key", () => {
    const held: Principal = {
      ...OWNER,
      keyId: 'k-held',
      quotas: {
        ...OWNER.quotas,
        maxLimits: { timeoutMs: 2000, memoryMb: 128, cpus: 0.5, pids: 32, outputBytes: 4096 },
      },
    };

    it('owns the job', () => {
      expect(policyWith().toJobData(request(), held).ownerKeyId).toBe('k-held');
    });

    it("refuses limits above the key's own maxima, saying whose maximum it is", () => {
      expect(
        problemsOf(policyWith(), request({ limits: { memoryMb: 129, timeoutMs: 2000, pids: 513 } }), held),
      ).toEqual([
        "limits.memoryMb must not be greater than 128 (this API key's maximum)",
        "limits.pids must not be greater than 32 (this API key's maximum)",
      ]);
    });

    it("holds the defaults down to the key's maxima when the request asks for nothing", () => {
      expect(policyWith().toJobData(request(), held).limits).toEqual({
        timeoutMs: 2000,
        memoryMb: 128,
        cpus: 0.5,
        pids: 32,
        outputBytes: 4096,
      });
    });

    it('reports the defaults and maxima a job of the key gets (GET /v1/limits)', () => {
      const policy = policyWith({ MAX_INPUT_FILES: '7' });
      const limits = policy.limitsFor(held);
      expect(limits.defaults).toEqual(policy.toJobData(request(), held).limits);
      expect(limits.max).toEqual(held.quotas.maxLimits);
      expect(limits.request.inputFiles).toBe(7);
      expect(policy.limitsFor(OWNER).max).toEqual(readSandboxConfig(new EnvReader({})).max);
    });

    it("never lets a key's maxima lift the server's", () => {
      const generous: Principal = {
        ...OWNER,
        quotas: { ...OWNER.quotas, maxLimits: { ...held.quotas.maxLimits, memoryMb: 1_000_000 } },
      };
      expect(problemsOf(policyWith(), request({ limits: { memoryMb: 4096 } }), generous)).toEqual([
        "limits.memoryMb must not be greater than 2048 (the server's maximum)",
      ]);
    });
  });

  describe('Unicode', () => {
    it.each([
      ['code', { code: 'print("\ud800")' }],
      ['stdin', { stdin: 'a\udc00b' }],
      ['args.1', { args: ['ok', '\ud83d'] }],
      ['files.0.content', { files: [{ path: 'a', content: '\udfff' }] }],
      ['files.0.path', { files: [{ path: 'a\ud800', content: 'x' }] }],
    ])('refuses a lone surrogate in %s, naming the field', (field, fields) => {
      expect(problemsOf(policyWith(), request(fields as Partial<CreateExecutionDto>))).toEqual([
        `${field} must be well-formed Unicode (no lone surrogates)`,
      ]);
    });

    it('accepts astral characters, BOMs and right-to-left marks', () => {
      const code = '\ufeffprint("𝄞 \u202e ünï")';
      expect(
        policyWith().toJobData(request({ code, args: ['😀'], files: [{ path: 'ü/😀.txt', content: '𝄞' }] }), OWNER)
          .code,
      ).toBe(code);
    });
  });
});
