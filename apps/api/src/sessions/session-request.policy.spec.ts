import { BadRequestException } from '@nestjs/common';
import { EnvReader, readApiConfig, readSandboxConfig, readSessionConfig } from '@sps/config';
import type { Principal } from '../auth/principal';
import { ExecutionRequestPolicy } from '../executions/execution-request.policy';
import type { CreateSessionDto } from './dto/create-session.dto';
import { SessionRequestPolicy } from './session-request.policy';

const sandbox = readSandboxConfig(new EnvReader({}));
const settings: Record<string, unknown> = {
  api: readApiConfig(new EnvReader({})),
  sandbox,
  sessions: readSessionConfig(new EnvReader({ SESSION_MAX_IDLE_TIMEOUT_SECONDS: '1200' })),
  'sandbox.max.timeoutMs': sandbox.max.timeoutMs,
};
const config = { get: (key: string) => settings[key] } as never;
const policy = new SessionRequestPolicy(new ExecutionRequestPolicy(config), config);

const owner = (maxLimits: Partial<Principal['quotas']['maxLimits']> = {}): Principal => ({
  keyId: 'k-1',
  name: 'k',
  role: 'user',
  quotas: {
    ratePerMinute: 60,
    maxInFlight: 10,
    maxStoredBytes: 1024 * 1024,
    maxConcurrentRequests: 10,
    maxSessions: 5,
    maxLimits: { ...sandbox.max, ...maxLimits },
  },
});

const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { message: string[] }).message;
  }
  throw new Error('expected a 400');
};

describe('SessionRequestPolicy', () => {
  it("fills in the server's defaults and the key's limits for what a request leaves out", () => {
    expect(policy.toSession({}, owner())).toEqual({
      environment: 'default',
      limits: sandbox.defaults,
      files: [],
      idleTimeoutSeconds: 600,
      maxLifetimeSeconds: 3600,
    });
    // A key held below the server's default memory gets its own maximum.
    expect(policy.toSession({}, owner({ memoryMb: 128 })).limits.memoryMb).toBe(128);
  });

  it("refuses times above the maxima, limits above the key's, and input files that break the job rules, all at once", () => {
    const dto: CreateSessionDto = {
      idleTimeoutSeconds: 1201,
      maxLifetimeSeconds: 86_401,
      limits: { memoryMb: 300 },
      files: [{ path: '/etc/passwd', content: 'x' }],
    };
    expect(problemsOf(() => policy.toSession(dto, owner({ memoryMb: 256 })))).toEqual([
      "limits.memoryMb must not be greater than 256 (this API key's maximum)",
      'files.0.path must be relative',
      "idleTimeoutSeconds must not be greater than 1200 (the server's maximum)",
      "maxLifetimeSeconds must not be greater than 86400 (the server's maximum)",
    ]);
  });

  it('lets a session have a file named main.py: there is no main program to clash with', () => {
    expect(policy.toSession({ files: [{ path: 'main.py', content: 'x' }] }, owner()).files).toEqual([
      { path: 'main.py', data: 'eA==' },
    ]);
  });

  it("gives a cell the session's time limit unless it sets its own, never above the key's maximum", () => {
    const session = { ...sandbox.defaults, timeoutMs: 5000 };
    expect(policy.toCell({ code: 'x' }, session, owner())).toEqual({ code: 'x', stdin: '', timeoutMs: 5000 });
    expect(policy.toCell({ code: 'x', stdin: 'in', timeoutMs: 700 }, session, owner()).timeoutMs).toBe(700);
    expect(
      problemsOf(() => policy.toCell({ code: 'x', timeoutMs: 20_000 }, session, owner({ timeoutMs: 15_000 }))),
    ).toEqual(["timeoutMs must not be greater than 15000 (this API key's maximum)"]);
    expect(problemsOf(() => policy.toCell({ code: '\ud800' }, session, owner()))).toEqual([
      'code must be well-formed Unicode (no lone surrogates)',
    ]);
  });

  it('holds file paths in URLs to the rules of input files', () => {
    expect(() => policy.checkPath('data/in.csv')).not.toThrow();
    expect(problemsOf(() => policy.checkPath('a/../b'))).toEqual(['path must not contain "." or ".." segments']);
    expect(problemsOf(() => policy.checkPath(''))).toEqual(['path must be a non-empty string']);
  });
});
