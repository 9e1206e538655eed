import type { ExecutionJob } from './queue.contracts';
import {
  executionResult,
  ExecutionIdentity,
  resultOfPendingJob,
  RunReport,
  storedReportOf,
  summaryOf,
  withOutput,
} from './execution-result.builder';

const identity: ExecutionIdentity = { id: 'job-1', createdAt: '2030-01-01T00:00:00.000Z', environment: 'datascience' };

const run: RunReport = {
  status: 'failed',
  exitCode: 3,
  signal: null,
  stdout: 'out',
  stderr: 'Traceback',
  stdoutTruncated: false,
  stderrTruncated: true,
  files: [{ path: 'a.txt', size: 1, content: 'YQ==' }],
  filesTruncated: false,
  usage: { wallMs: 12, cpuMs: 9, peakMemoryBytes: 1024 },
  startedAt: '2030-01-01T00:00:01.000Z',
  finishedAt: '2030-01-01T00:00:02.000Z',
  workerId: 'worker-7',
  reproducibility: { specHash: '3f2a9c0d1e7b4a56', digest: 'sha256:feed', baseDigest: 'sha256:beef' },
};

const NOTHING_RAN = {
  reproducibility: null,
  exitCode: null,
  signal: null,
  stdout: '',
  stderr: '',
  files: [],
  usage: null,
  stdoutTruncated: false,
  filesTruncated: false,
};

describe('executionResult', () => {
  it('builds a queued result with nothing run yet', () => {
    const result = executionResult(identity, { kind: 'queued' });
    expect(result).toEqual({
      ...identity,
      status: 'queued',
      ...NOTHING_RAN,
      stderrTruncated: false,
      startedAt: null,
      finishedAt: null,
      workerId: null,
    });
    expect(result).not.toHaveProperty('error');
  });

  it('builds a running result with when it started', () => {
    expect(executionResult(identity, { kind: 'running', startedAt: run.startedAt })).toMatchObject({
      status: 'running',
      startedAt: run.startedAt,
      ...NOTHING_RAN,
    });
  });

  it('builds a result cancelled before anything ran', () => {
    const cancelled = executionResult(identity, {
      kind: 'cancelled',
      finishedAt: run.finishedAt!,
      workerId: 'worker-7',
    });
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      finishedAt: run.finishedAt,
      workerId: 'worker-7',
      startedAt: null,
      ...NOTHING_RAN,
    });
  });

  it('builds an error result with what went wrong', () => {
    const failed = executionResult(identity, { kind: 'failed', error: 'worker lost', finishedAt: run.finishedAt });
    expect(failed).toMatchObject({ status: 'error', error: 'worker lost', finishedAt: run.finishedAt, ...NOTHING_RAN });
  });

  it("copies a run's report, and only the fields a result has", () => {
    const stored = { ...run, id: 'forged', environment: 'forged', createdAt: 'forged', extra: 'x' } as RunReport;
    const result = executionResult(identity, { kind: 'ran', run: stored });
    expect(result).toEqual({ ...identity, ...run });
    expect(Object.keys(result).sort()).toEqual(Object.keys({ ...identity, ...run }).sort());
  });

  it('reads a report stored before results carried a reproducibility stamp as having none', () => {
    const { reproducibility: _none, ...older } = run;
    expect(executionResult(identity, { kind: 'ran', run: older as RunReport }).reproducibility).toBeNull();
  });

  it("copies a cell's value and a run's displays, and says whether displays were left out", () => {
    const rich: RunReport = {
      ...run,
      result: { 'text/plain': 'df', 'text/html': '<table></table>' },
      displays: [{ mime: 'image/png', data: 'iVBORw0KGgo=' }],
      displaysTruncated: true,
    };
    const result = executionResult(identity, { kind: 'ran', run: rich });
    expect(result).toEqual({ ...identity, ...rich });
    const noValue = executionResult(identity, { kind: 'ran', run: { ...run, result: null, displays: [] } });
    expect(noValue).toMatchObject({ result: null, displays: [], displaysTruncated: false });
  });

  it('leaves out what a run did not report, as a job run by an older worker', () => {
    const result = executionResult(identity, { kind: 'ran', run });
    for (const field of ['result', 'displays', 'displaysTruncated']) expect(result).not.toHaveProperty(field);
  });
});

describe('the stored form of a report', () => {
  const output = {
    stdout: Buffer.from([0x68, 0x69, 0xff, 0x0a]),
    stderr: Buffer.from('\u0001\u0002'),
    files: [{ path: 'out.bin', content: Buffer.from([0, 1, 2]) }],
  };
  const { stdout: _o, stderr: _e, files: _f, ...rest } = run;
  const stored = { ...rest, files: [{ path: 'out.bin', size: 3 }] };

  it('joins the bytes back: invalid UTF-8 as U+FFFD, files as base64', () => {
    const joined = withOutput(stored, output);
    expect(joined.stdout).toBe('hi\ufffd\n');
    expect(joined.stderr).toBe('\u0001\u0002');
    expect(joined.files).toEqual([{ path: 'out.bin', size: 3, content: Buffer.from([0, 1, 2]).toString('base64') }]);
  });

  it('summarises sizes only: no output, no file name, no error text', () => {
    const summary = summaryOf({ ...stored, error: 'secret' }, output);
    expect(summary).toMatchObject({ stdoutBytes: 4, stderrBytes: 2, fileCount: 1, fileBytes: 3, status: run.status });
    expect(JSON.stringify(summary)).not.toMatch(/out\.bin|secret|hi/);
  });

  it('stores a state that ran nothing with no output', () => {
    expect(storedReportOf({ kind: 'failed', error: 'worker lost', finishedAt: null })).toMatchObject({
      status: 'error',
      error: 'worker lost',
      files: [],
    });
  });
});

describe('resultOfPendingJob', () => {
  const job = (fields: Partial<ExecutionJob>): ExecutionJob =>
    ({
      id: identity.id,
      data: { createdAt: identity.createdAt, environment: identity.environment },
      ...fields,
    }) as ExecutionJob;

  it('has nothing for a completed job: its result lives in the store', () => {
    expect(resultOfPendingJob(job({}), 'completed')).toBeNull();
  });

  it('reads an active job as running since BullMQ handed it out', () => {
    const processedOn = Date.parse(run.startedAt!);
    expect(resultOfPendingJob(job({ processedOn }), 'active')).toMatchObject({
      status: 'running',
      startedAt: run.startedAt,
    });
  });

  it.each(['waiting', 'prioritized', 'delayed', 'unknown'] as const)('reads a %s job as queued', (state) => {
    expect(resultOfPendingJob(job({}), state)!.status).toBe('queued');
  });

  it("reads a failed job as an error, with BullMQ's reason, and a stalled one as a lost worker", () => {
    const finishedOn = Date.parse(run.finishedAt!);
    expect(
      resultOfPendingJob(job({ failedReason: 'environment "x" failed to build', finishedOn }), 'failed'),
    ).toMatchObject({
      status: 'error',
      error: 'environment "x" failed to build',
      finishedAt: run.finishedAt,
    });
    expect(resultOfPendingJob(job({ failedReason: 'job stalled more than allowable limit' }), 'failed')!.error).toBe(
      'worker lost',
    );
    expect(resultOfPendingJob(job({}), 'failed')!.error).toBe('the job failed in the service');
  });
});
