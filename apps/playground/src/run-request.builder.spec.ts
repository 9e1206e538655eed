import type { ServerLimits } from './api.types';
import { buildRunRequest, type RunForm } from './run-request.builder';

const form = (fields: Partial<RunForm> = {}): RunForm => ({
  code: 'print(1)',
  environment: 'default',
  stdin: '',
  args: '',
  files: [],
  timeoutMs: '',
  memoryMb: '',
  ...fields,
});

const LIMITS: ServerLimits = {
  defaults: { timeoutMs: 10_000, memoryMb: 256, cpus: 1, pids: 64, outputBytes: 1 << 20 },
  max: { timeoutMs: 20_000, memoryMb: 512, cpus: 2, pids: 128, outputBytes: 1 << 22 },
  request: {
    codeBytes: 1 << 20,
    stdinBytes: 1 << 20,
    args: 256,
    argBytes: 4096,
    inputFiles: 100,
    inputFileBytes: 1 << 20,
  },
};

describe('buildRunRequest', () => {
  it('sends only the code and environment when nothing else is set, so the server defaults apply', () => {
    expect(buildRunRequest(form(), LIMITS)).toEqual({ request: { code: 'print(1)', environment: 'default' } });
  });

  it('sends stdin as typed, one argument per line (empty ones kept), and the files', () => {
    const files = [{ path: 'in.csv', content: 'YSxi', encoding: 'base64' as const }];
    const built = buildRunRequest(form({ stdin: 'x\n', args: 'a b\n\n--c\n', files }), LIMITS);
    expect(built).toEqual({
      request: { code: 'print(1)', environment: 'default', stdin: 'x\n', args: ['a b', '', '--c'], files },
    });
  });

  it('sends the limits that were set, as numbers', () => {
    const built = buildRunRequest(form({ timeoutMs: ' 20000 ', memoryMb: '' }), LIMITS);
    expect(built).toEqual({
      request: { code: 'print(1)', environment: 'default', limits: { timeoutMs: LIMITS.max.timeoutMs } },
    });
  });

  it("names each limit that is not a whole number or is above this key's maximum", () => {
    expect(buildRunRequest(form({ timeoutMs: '1.5', memoryMb: String(LIMITS.max.memoryMb + 1) }), LIMITS)).toEqual({
      problems: [
        'timeout (ms) must be a whole number above 0',
        `memory (MB) must be at most ${LIMITS.max.memoryMb}, this key's maximum`,
      ],
    });
    expect(buildRunRequest(form({ memoryMb: 'lots' }), LIMITS)).toEqual({
      problems: ['memory (MB) must be a whole number above 0'],
    });
  });

  it('leaves the maxima to the server when it has not said them yet', () => {
    expect(buildRunRequest(form({ memoryMb: '100000' }), undefined)).toEqual({
      request: { code: 'print(1)', environment: 'default', limits: { memoryMb: 100_000 } },
    });
  });
});
