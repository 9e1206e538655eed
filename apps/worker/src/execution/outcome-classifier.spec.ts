import type { ContainerExit, RunnerExitRecord } from '@sps/sandbox';
import { classifyOutcome, Ending } from './outcome-classifier';

const exitRecord = (fields: Partial<RunnerExitRecord> = {}): RunnerExitRecord => ({
  exitCode: 0,
  signal: null,
  timedOut: false,
  outputLimit: false,
  stdoutTruncated: false,
  stderrTruncated: false,
  oomKilled: false,
  filesTruncated: false,
  displaysTruncated: false,
  wallMs: 10,
  cpuMs: 5,
  peakMemoryBytes: 1024,
  ...fields,
});

const container = (fields: Partial<ContainerExit> = {}): ContainerExit => ({
  exitCode: 0,
  oomKilled: false,
  ...fields,
});

describe('classifyOutcome', () => {
  describe('endings forced by the worker win over anything the runner said', () => {
    it.each<[Ending, string]>([
      ['cancelled', 'cancelled'],
      ['deadline', 'timeout'],
      ['output_limit', 'output_limit'],
      ['protocol', 'failed'],
    ])('%s -> %s, killed', (ending, status) => {
      // A record saying "succeeded" and an OOM-killed container must not change a forced ending.
      const result = classifyOutcome({
        ending,
        exit: exitRecord({ exitCode: 0 }),
        container: container({ oomKilled: true, exitCode: 137 }),
      });
      expect(result).toEqual({ status, exitCode: null, signal: 'SIGKILL' });
    });
  });

  describe('with an exit record', () => {
    it('reports a runner error as error, with a fixed message and no exit code', () => {
      const result = classifyOutcome({
        ending: 'exited',
        exit: exitRecord({ error: 'execve: /bin/secret', exitCode: 1 }),
        container: null,
      });
      expect(result.status).toBe('error');
      expect(result.exitCode).toBeNull();
      expect(result.signal).toBeNull();
      expect(result.error).toBe('the sandbox runner could not start the program');
      // The runner's own text is not passed through to the user.
      expect(result.error).not.toContain('/bin/secret');
    });

    it('reports the runner timing out the program as timeout, keeping its exit code and signal', () => {
      const result = classifyOutcome({
        ending: 'exited',
        exit: exitRecord({ timedOut: true, exitCode: null, signal: 'SIGKILL' }),
        container: null,
      });
      expect(result).toEqual({ status: 'timeout', exitCode: null, signal: 'SIGKILL' });
    });

    it('ranks a timeout above an output limit and an OOM kill', () => {
      const exit = exitRecord({ timedOut: true, outputLimit: true, oomKilled: true, exitCode: 137 });
      expect(classifyOutcome({ ending: 'exited', exit, container: null }).status).toBe('timeout');
    });

    it('reports the runner hitting the output limit as output_limit', () => {
      const result = classifyOutcome({
        ending: 'exited',
        exit: exitRecord({ outputLimit: true, exitCode: 1, signal: null }),
        container: null,
      });
      expect(result).toEqual({ status: 'output_limit', exitCode: 1, signal: null });
    });

    it('ranks an output limit above an OOM kill', () => {
      const exit = exitRecord({ outputLimit: true, oomKilled: true, exitCode: 137 });
      expect(classifyOutcome({ ending: 'exited', exit, container: null }).status).toBe('output_limit');
    });

    it('reports an OOM kill the runner saw as oom', () => {
      const result = classifyOutcome({
        ending: 'exited',
        exit: exitRecord({ oomKilled: true, exitCode: null, signal: 'SIGKILL' }),
        container: null,
      });
      expect(result).toEqual({ status: 'oom', exitCode: null, signal: 'SIGKILL' });
    });

    it('reports an OOM kill only the container saw as oom', () => {
      const result = classifyOutcome({
        ending: 'ended',
        exit: exitRecord({ exitCode: 137, signal: null }),
        container: container({ oomKilled: true, exitCode: 0 }),
      });
      expect(result).toEqual({ status: 'oom', exitCode: 137, signal: null });
    });

    it.each([
      ['the runner', exitRecord({ oomKilled: true, exitCode: 0 }), null],
      ['the container', exitRecord({ exitCode: 0 }), container({ oomKilled: true })],
    ])('does not call a run that exited 0 oom even when %s saw an OOM kill', (_label, exit, containerExit) => {
      // A child process may be OOM-killed while the program itself recovers and exits cleanly.
      expect(classifyOutcome({ ending: 'exited', exit, container: containerExit })).toEqual({
        status: 'succeeded',
        exitCode: 0,
        signal: null,
      });
    });

    it('reports exit code 0 as succeeded', () => {
      expect(classifyOutcome({ ending: 'exited', exit: exitRecord({ exitCode: 0 }), container: null })).toEqual({
        status: 'succeeded',
        exitCode: 0,
        signal: null,
      });
    });

    it.each([
      [1, null],
      [2, null],
      [255, null],
      [null, 'SIGSEGV'],
    ])('reports exit code %s (signal %s) as failed', (exitCode, signal) => {
      expect(
        classifyOutcome({ ending: 'exited', exit: exitRecord({ exitCode, signal }), container: container() }),
      ).toEqual({
        status: 'failed',
        exitCode,
        signal,
      });
    });
  });

  describe('without an exit record', () => {
    it('reports a container the OOM killer stopped as oom, naming the signal from the exit code', () => {
      expect(
        classifyOutcome({ ending: 'ended', exit: null, container: container({ oomKilled: true, exitCode: 137 }) }),
      ).toEqual({
        status: 'oom',
        exitCode: 137,
        signal: 'SIGKILL',
      });
    });

    it('reports exit code 137 without an OOM kill as failed by SIGKILL', () => {
      expect(classifyOutcome({ ending: 'ended', exit: null, container: container({ exitCode: 137 }) })).toEqual({
        status: 'failed',
        exitCode: 137,
        signal: 'SIGKILL',
      });
    });

    it.each([
      [139, 'SIGSEGV'],
      [143, 'SIGTERM'],
      [130, 'SIGINT'],
    ])('names the signal for exit code %d as %s', (exitCode, signal) => {
      expect(classifyOutcome({ ending: 'ended', exit: null, container: container({ exitCode }) }).signal).toBe(signal);
    });

    it.each([0, 1, 128, 255])('names no signal for exit code %d', (exitCode) => {
      const result = classifyOutcome({ ending: 'ended', exit: null, container: container({ exitCode }) });
      expect(result).toEqual({ status: 'failed', exitCode, signal: null });
    });

    it('reports a missing container exit as failed with nothing known', () => {
      expect(classifyOutcome({ ending: 'ended', exit: null, container: null })).toEqual({
        status: 'failed',
        exitCode: null,
        signal: null,
      });
    });

    it('reports an OOM-killed container with no exit code as oom', () => {
      expect(
        classifyOutcome({ ending: 'ended', exit: null, container: container({ oomKilled: true, exitCode: null }) }),
      ).toEqual({
        status: 'oom',
        exitCode: null,
        signal: null,
      });
    });
  });
});
