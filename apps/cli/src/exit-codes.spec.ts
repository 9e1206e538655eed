import { constants } from 'node:os';
import { EXIT, exitCodeOf } from './exit-codes';

const outcome = (status: string, exitCode: number | null = null, signal: string | null = null) => ({
  status,
  exitCode,
  signal,
});

describe('exitCodeOf', () => {
  it("passes the program's own exit code through", () => {
    expect(exitCodeOf(outcome('succeeded', 0))).toBe(0);
    for (const code of [1, 2, 42, 255]) expect(exitCodeOf(outcome('failed', code))).toBe(code);
  });

  it('reports a program killed by a signal as a shell does, 128 + its number', () => {
    expect(exitCodeOf(outcome('failed', null, 'SIGSEGV'))).toBe(128 + constants.signals.SIGSEGV);
    expect(exitCodeOf(outcome('failed', null, 'SIGNOPE'))).toBe(EXIT.failure);
  });

  it('gives every way of being stopped its own code, none of them 0', () => {
    const codes = ['timeout', 'oom', 'output_limit', 'cancelled', 'error'].map((status) => exitCodeOf(outcome(status)));
    expect(codes).toEqual([EXIT.timeout, EXIT.oom, EXIT.outputLimit, EXIT.cancelled, EXIT.serviceError]);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).not.toContain(0);
  });
});
