import { CellOutput, emptyExitRecord, encodeFrame } from '@sps/sandbox';
import { cellReport, CellEnding } from './cell-report';

const record = (fields: Record<string, unknown> = {}) => ({
  ...emptyExitRecord(),
  exitCode: 0,
  wallMs: 5,
  cpuMs: 3,
  peakMemoryBytes: 1000,
  id: 'exec-1',
  kernelDied: false,
  memoryBytes: 900,
  ...fields,
});

const output = (fields?: Record<string, unknown>): CellOutput => {
  const cell = new CellOutput({ outputBytes: 100, maxDisplays: 5 });
  cell.accept({ type: 'E', body: Buffer.from('err') });
  if (fields) cell.accept({ type: 'C', body: Buffer.from(JSON.stringify(record(fields))) });
  return cell;
};

const report = (
  ending: CellEnding,
  cell: CellOutput,
  container: { exitCode: number | null; oomKilled: boolean } | null = null,
) =>
  cellReport({
    executionId: 'exec-1',
    ending,
    output: cell,
    container,
    startedAt: new Date('2030-01-01T00:00:00.000Z'),
    finishedAt: new Date('2030-01-01T00:00:01.000Z'),
    workerId: 'worker-1',
    reproducibility: null,
  });

describe('cellReport', () => {
  it.each([
    ['a cell that ran to its end', {}, 'succeeded', null],
    ['a cell that raised', { exitCode: 1 }, 'failed', null],
    ['a cell interrupted at its time limit', { exitCode: null, signal: 'SIGINT', timedOut: true }, 'timeout', null],
    [
      'a cell interrupted at the output cap',
      { exitCode: null, signal: 'SIGINT', outputLimit: true },
      'output_limit',
      null,
    ],
    [
      'a cell whose interpreter was killed after its time limit',
      { exitCode: null, signal: 'SIGKILL', timedOut: true, kernelDied: true },
      'timeout',
      'the interpreter did not stop within a second of its time limit and was killed in execution exec-1',
    ],
    [
      'a cell whose interpreter ran out of memory',
      { exitCode: null, signal: 'SIGKILL', oomKilled: true, kernelDied: true },
      'oom',
      'the interpreter ran out of memory (oom) in execution exec-1',
    ],
    [
      'a cell whose interpreter exited',
      { exitCode: 3, kernelDied: true },
      'failed',
      'the interpreter exited with code 3 in execution exec-1',
    ],
    [
      'a cell whose interpreter crashed',
      { exitCode: null, signal: 'SIGSEGV', kernelDied: true },
      'failed',
      'the interpreter was killed by SIGSEGV in execution exec-1',
    ],
  ])('reports %s, and whether the session dies with it', (_label, fields, status, death) => {
    const { run, death: reason } = report('done', output(fields));
    expect(run.status).toBe(status);
    expect(reason).toBe(death);
    expect(run).toMatchObject({ stderr: 'err', files: [], result: null, displays: [], workerId: 'worker-1' });
    expect(run.usage).toEqual({ wallMs: 5, cpuMs: 3, peakMemoryBytes: 1000 });
  });

  it.each([
    ['deadline', 'timeout', 'the session did not answer at its time limit and was killed in execution exec-1'],
    ['output_limit', 'output_limit', "the session's runner sent more output than its cap in execution exec-1"],
    ['protocol', 'failed', "the session's runner sent a stream the worker could not read in execution exec-1"],
  ] as const)('ends the session when the runner fails at its part: %s', (ending, status, death) => {
    const { run, death: reason } = report(ending, output());
    expect([run.status, reason]).toEqual([status, death]);
    expect(run.usage?.wallMs).toBe(1000);
  });

  it('tells a container the OOM killer stopped from one that just stopped', () => {
    expect(report('ended', output(), { exitCode: 137, oomKilled: true })).toMatchObject({
      run: { status: 'oom' },
      death: "the session's container ran out of memory (oom) in execution exec-1",
    });
    expect(report('ended', output(), { exitCode: 1, oomKilled: false })).toMatchObject({
      run: { status: 'failed' },
      death: "the session's container stopped in execution exec-1",
    });
  });

  it("keeps a cell's value and displays", () => {
    const cell = new CellOutput({ outputBytes: 100, maxDisplays: 5 });
    for (const [type, body] of [
      ['D', { mime: 'image/png', data: 'iVBORw0KGgo=' }],
      ['V', { 'text/plain': '1' }],
      ['C', record()],
    ] as const) {
      const frame = encodeFrame(type, Buffer.from(JSON.stringify(body)));
      cell.accept({ type, body: frame.subarray(5) });
    }
    expect(report('done', cell).run).toMatchObject({
      result: { 'text/plain': '1' },
      displays: [{ mime: 'image/png', data: 'iVBORw0KGgo=' }],
      displaysTruncated: false,
    });
  });
});
