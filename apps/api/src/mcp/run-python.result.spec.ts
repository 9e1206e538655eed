import type { ExecutionResult } from '@sps/queue';
import { runPythonResult, type RunContext } from './run-python.result';
import { sessionCellResult, type CellContext } from './session-cell.result';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('IHDR rest of a picture'),
]).toString('base64');
const context: RunContext = {
  limits: { timeoutMs: 1234, memoryMb: 96, cpus: 1, pids: 64, outputBytes: 4321 },
  maxTimeoutMs: 5678,
};

const result = (overrides: Partial<ExecutionResult> = {}): ExecutionResult => ({
  id: '4b0c1a2e-1111-4222-8333-944455556666',
  status: 'succeeded',
  exitCode: 0,
  signal: null,
  stdout: 'out\n',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  files: [],
  filesTruncated: false,
  usage: { wallMs: 10, cpuMs: 5, peakMemoryBytes: 1 },
  environment: 'default',
  createdAt: '',
  startedAt: '',
  finishedAt: '',
  workerId: 'w',
  reproducibility: null,
  ...overrides,
});

const textOf = (answer: ReturnType<typeof runPythonResult>) => (answer.content[0] as { text: string }).text;

describe('runPythonResult', () => {
  it('answers a success with status, stdout and stderr, and no error flag', () => {
    const answer = runPythonResult(result({ stderr: 'warning\n' }), context);
    expect(answer.isError).toBeUndefined();
    expect(answer.content).toHaveLength(1);
    expect(textOf(answer)).toMatch(/^status: succeeded/);
    expect(textOf(answer)).toContain('stdout:\nout\n');
    expect(textOf(answer)).toContain('stderr:\nwarning\n');
  });

  it('sends PNG bytes as images whatever their name, and nothing else', () => {
    const files = [
      { path: 'plot.png', size: 30, content: PNG },
      { path: 'figure.dat', size: 30, content: PNG },
      { path: 'fake.png', size: 5, content: Buffer.from('hello').toString('base64') },
    ];
    const answer = runPythonResult(result({ files }), context);
    expect(answer.content.slice(1)).toEqual([
      { type: 'image', data: PNG, mimeType: 'image/png' },
      { type: 'image', data: PNG, mimeType: 'image/png' },
    ]);
    expect(textOf(answer)).toContain('fake.png (5 bytes)');
  });

  it('sends image/png displays as images: the figures a program left open', () => {
    const withDisplays = {
      ...result(),
      displays: [
        { mime: 'image/png', data: PNG },
        { mime: 'text/html', data: 'PGI+' },
      ],
    };
    expect(runPythonResult(withDisplays, context).content.slice(1)).toEqual([
      { type: 'image', data: PNG, mimeType: 'image/png' },
    ]);
  });

  it.each([
    ['failed', { exitCode: 3 }, /exited with code 3/],
    ['timeout', {}, new RegExp(`timeout after ${context.limits.timeoutMs} ms.*at most ${context.maxTimeoutMs}`)],
    ['oom', {}, new RegExp(`${context.limits.memoryMb} MB`)],
    ['output_limit', {}, new RegExp(`${context.limits.outputBytes} bytes`)],
    ['error', { error: 'unknown environment "x"' }, /unknown environment "x".*list_environments/],
  ] as const)('answers %s as a tool error that says what to change', (status, extra, message) => {
    const answer = runPythonResult(result({ status, exitCode: null, ...extra }), context);
    expect(answer.isError).toBe(true);
    expect(textOf(answer).split('\n')[0]).toMatch(message);
  });
});

const alive: CellContext = {
  timeoutMs: 1234,
  memoryMb: 96,
  outputBytes: 4321,
  maxTimeoutMs: 5678,
  session: { status: 'ready', reason: null },
};

const cellText = (answer: ReturnType<typeof sessionCellResult>) => (answer.content[0] as { text: string }).text;

describe('sessionCellResult', () => {
  it('answers a cell with its output, its value and its text displays as text, and PNG displays as images', () => {
    const answer = sessionCellResult(
      result({
        result: { 'text/plain': '42' },
        displays: [
          { mime: 'text/plain', data: "'note'" },
          { mime: 'image/png', data: PNG },
          { mime: 'image/png', data: Buffer.from('not a png').toString('base64') },
        ],
      }),
      alive,
    );
    expect(answer.isError).toBeUndefined();
    expect(cellText(answer)).toBe(
      "status: succeeded\n\nstdout:\nout\n\n\nstderr:\n(empty)\n\nresult:\n42\n\ndisplay (text/plain):\n'note'",
    );
    expect(answer.content.slice(1)).toEqual([{ type: 'image', data: PNG, mimeType: 'image/png' }]);
  });

  it('says after a timeout that the session is still alive, and what to change', () => {
    const answer = sessionCellResult(result({ status: 'timeout', exitCode: null }), alive);
    expect(answer.isError).toBe(true);
    expect(cellText(answer).split('\n')[0]).toBe(
      `status: timeout after ${alive.timeoutMs} ms; the session is still alive, with its variables. Make the cell faster, or pass a larger timeoutMs (at most ${alive.maxTimeoutMs})`,
    );
  });

  it('says when the cell took the session down, and to create a new one', () => {
    const answer = sessionCellResult(result({ status: 'oom', exitCode: null }), {
      ...alive,
      session: { status: 'dead', reason: 'the interpreter ran out of memory' },
    });
    expect(cellText(answer).split('\n')[0]).toBe(
      `status: oom: the cell went past the session's ${alive.memoryMb} MB memory limit; the session is dead (the interpreter ran out of memory); create a new one with create_session`,
    );
  });
});
