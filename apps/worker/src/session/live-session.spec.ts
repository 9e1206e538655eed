import { Logger } from '@nestjs/common';
import { EnvReader, readSandboxConfig, readSessionConfig } from '@sps/config';
import type { SessionExecution, SessionFileAnswer, SessionOp, SessionRecord } from '@sps/queue';
import { AttachedContainer, emptyExitRecord, encodeFrame, Frame, FrameType } from '@sps/sandbox';
import { PassThrough } from 'node:stream';
import type { ContainerDisposer } from '../runtime/container-disposer.service';
import { ExecutionOutputTap } from '../runtime/execution-output.tap';
import { LiveSession } from './live-session';

type CellOp = Extract<SessionOp, { kind: 'cell' }>;

const sandbox = readSandboxConfig(new EnvReader({}));
const sessionsConfig = readSessionConfig(new EnvReader({}));

const record: SessionRecord = {
  id: 'session-1',
  ownerKeyId: 'key-1',
  workerId: 'worker-1',
  environment: 'default',
  status: 'starting',
  reason: null,
  createdAt: '2030-01-01T00:00:00.000Z',
  lastUsedAt: '2030-01-01T00:00:00.000Z',
  expiresAt: new Date(Date.now() + 3600_000).toISOString(),
  idleExpiresAt: new Date(Date.now() + 600_000).toISOString(),
  idleTimeoutSeconds: 600,
  maxLifetimeSeconds: 3600,
  executionCount: 0,
  memoryBytes: null,
  limits: { ...sandbox.defaults, outputBytes: 64 },
  containerId: null,
  pending: 0,
  endedAt: null,
  containerRemovedAt: null,
};

const cellRecord = (id: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ ...emptyExitRecord(), exitCode: 0, id, kernelDied: false, memoryBytes: 2048, ...fields });

/** A container whose runner is this test: it reads what the session writes, and sends frames back. */
class FakeContainer implements AttachedContainer {
  readonly id = 'container-1';
  readonly labels = {};
  gone = false;
  readonly closed = new Promise<void>(() => undefined);
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly written: Record<string, unknown>[] = [];
  removed = false;
  killed = false;

  write(data: Buffer): void {
    this.written.push(JSON.parse(data.subarray(4).toString()) as Record<string, unknown>);
  }

  send(type: FrameType, body: string | Buffer = ''): void {
    this.stdout.write(encodeFrame(type, Buffer.from(body)));
  }

  sendReply(header: Record<string, unknown>, content = ''): void {
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(json.length);
    this.send('Q', Buffer.concat([length, json, Buffer.from(content)]));
  }

  cells(): Record<string, unknown>[] {
    return this.written.filter((m) => m.op === 'cell');
  }

  updateResources = () => Promise.resolve();
  rename = () => Promise.resolve();
  inspectExit = () => Promise.resolve({ exitCode: 137, oomKilled: false });
  kill = async () => void (this.killed = true);
  remove = async () => void (this.removed = true);
}

const STAMP = { specHash: null, digest: 'sha256:0', baseDigest: null };

const settle = () => new Promise((resolve) => setImmediate(resolve));

const setup = () => {
  const container = new FakeContainer();
  const log: string[] = [];
  const executions: SessionExecution[] = [];
  const answers: { id: string; answer: SessionFileAnswer; content?: Buffer }[] = [];
  const frames: [string, Frame['type']][] = [];
  const ended: LiveSession[] = [];
  const tap = new ExecutionOutputTap();
  tap.subscribe({ frame: (id, frame) => frames.push([id, frame.type]) });
  const session = new LiveSession(record, {
    records: {
      move: async (_id: string, _from: unknown, to: string) => (log.push(`move ${to}`), true),
      cellDone: async (_r: unknown, status: string, _at: Date, memory: number) =>
        void log.push(`done ${status} ${memory}`),
      end: async (_r: unknown, status: string, reason: string) => (log.push(`end ${status}: ${reason}`), 'ready'),
      markRemoved: async () => void log.push('removed'),
      setMemory: async (_id: string, memory: number) => void log.push(`memory ${memory}`),
    } as never,
    executions: { write: async (execution: SessionExecution) => void executions.push(execution) } as never,
    replies: {
      put: async (id: string, answer: SessionFileAnswer, content?: Buffer) =>
        void answers.push({ id, answer, content }),
    } as never,
    tap,
    disposer: { removeNow: (c: AttachedContainer) => c.remove() } as unknown as ContainerDisposer,
    sandbox,
    sessions: sessionsConfig,
    workerId: 'worker-1',
    readyTimeoutMs: 5000,
    onEnded: (s) => ended.push(s),
  });
  return { container, session, log, executions, answers, frames, ended };
};

const cell = (n: number, fields: Partial<CellOp> = {}): CellOp => ({
  kind: 'cell',
  sessionId: record.id,
  executionId: `exec-${n}`,
  ownerKeyId: 'key-1',
  createdAt: '2030-01-01T00:00:01.000Z',
  code: `cell ${n}`,
  stdin: '',
  timeoutMs: 10_000,
  ...fields,
});

const states = (executions: SessionExecution[], id: string) =>
  executions.filter((e) => e.id === id).map((e) => e.state.kind);

describe('LiveSession', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));

  const opened = async () => {
    const parts = setup();
    const open = parts.session.open(parts.container, [{ path: 'in.txt', data: 'aGk=' }], STAMP);
    expect(parts.container.written).toEqual([{ session: true, files: [{ path: 'in.txt', data: 'aGk=' }] }]);
    parts.container.send('R');
    parts.container.send('A');
    await open;
    return parts;
  };

  it('sends its cells to the runner one at a time, in the order they came, and records each', async () => {
    const { container, session, log, executions, frames } = await opened();
    session.enqueueCell(cell(1));
    session.enqueueCell(cell(2));
    expect(container.cells().map((c) => c.id)).toEqual(['exec-1']);
    expect(container.cells()[0]).toMatchObject({ code: 'cell 1', outputBytes: 64, maxDisplays: sandbox.maxDisplays });

    container.send('O', 'out');
    container.send('D', JSON.stringify({ mime: 'text/plain', data: "'d'" }));
    container.send('V', JSON.stringify({ 'text/plain': '42' }));
    container.send('C', cellRecord('exec-1'));
    await settle();
    expect(container.cells().map((c) => c.id)).toEqual(['exec-1', 'exec-2']);
    const ran = executions.find((e) => e.id === 'exec-1' && e.state.kind === 'ran')!;
    expect(ran.state).toMatchObject({
      kind: 'ran',
      run: {
        status: 'succeeded',
        stdout: 'out',
        result: { 'text/plain': '42' },
        displays: [{ mime: 'text/plain', data: "'d'" }],
        workerId: 'worker-1',
      },
    });
    // Output frames go past the tap as they arrive, named by their cell.
    expect(frames).toEqual([
      ['exec-1', 'O'],
      ['exec-1', 'D'],
      ['exec-1', 'V'],
    ]);

    container.send('C', cellRecord('exec-2'));
    await settle();
    expect(states(executions, 'exec-1')).toEqual(['running', 'ran']);
    expect(states(executions, 'exec-2')).toEqual(['running', 'ran']);
    expect(log).toEqual(['move busy', 'done busy 2048', 'move busy', 'done ready 2048']);
    await session.end('closed', 'deleted', true);
  });

  it('ends as dead when a cell kills its interpreter, failing the cells behind it and removing the container', async () => {
    const { container, session, log, executions, ended } = await opened();
    session.enqueueCell(cell(1));
    session.enqueueCell(cell(2));
    container.send('C', cellRecord('exec-1', { exitCode: null, signal: 'SIGKILL', oomKilled: true, kernelDied: true }));
    container.send('X', JSON.stringify(JSON.parse(cellRecord('x', { oomKilled: true }))));
    await settle();
    await settle();
    expect(executions.find((e) => e.id === 'exec-1' && e.state.kind === 'ran')!.state).toMatchObject({
      run: { status: 'oom' },
    });
    expect(executions.find((e) => e.id === 'exec-2')!.state).toMatchObject({
      kind: 'failed',
      error: 'the session ended before the cell ran: the interpreter ran out of memory (oom) in execution exec-1',
    });
    expect(log).toContain('end dead: the interpreter ran out of memory (oom) in execution exec-1');
    expect(container.removed).toBe(true);
    expect(log.at(-1)).toBe('removed');
    expect(ended).toEqual([session]);
    expect(container.cells()).toHaveLength(1);
  });

  it('kills a session whose runner sends a frame when no cell runs', async () => {
    const { container, log } = await opened();
    container.send('O', 'stray');
    await settle();
    expect(log).toContain("end dead: the session's runner sent a stream the worker could not read");
    expect(container.removed).toBe(true);
  });

  it('answers file requests from the runner, and those still open when it ends', async () => {
    const { container, session, answers } = await opened();
    session.fileOp({ kind: 'get', sessionId: record.id, requestId: 'r1', path: 'a.txt' });
    session.fileOp({ kind: 'put', sessionId: record.id, requestId: 'r2', path: 'link', data: 'eA==' });
    session.fileOp({ kind: 'list', sessionId: record.id, requestId: 'r3' });
    expect(container.written.slice(1)).toEqual([
      { op: 'get', id: 'r1', path: 'a.txt', maxBytes: sandbox.maxOutputFileBytes },
      { op: 'put', id: 'r2', path: 'link', data: 'eA==' },
      { op: 'list', id: 'r3', maxEntries: sessionsConfig.maxListedFiles },
    ]);
    container.sendReply({ id: 'r1', ok: true, size: 2 }, 'hi');
    container.sendReply({ id: 'r2', ok: false, error: 'link' });
    await settle();
    expect(answers).toEqual([
      { id: 'r1', answer: { ok: true, size: 2 }, content: Buffer.from('hi') },
      { id: 'r2', answer: { ok: false, refusal: 'link' }, content: undefined },
    ]);
    await session.end('closed', 'deleted', true);
    expect(answers.at(-1)).toEqual({ id: 'r3', answer: { ok: false, refusal: 'ended', reason: 'deleted' } });
  });

  it('closes itself when idle past its timeout, and not while a cell runs', async () => {
    jest.useFakeTimers();
    try {
      const { container, session, log } = await opened();
      session.startClocks();
      session.enqueueCell(cell(1, { timeoutMs: 3_600_000 }));
      jest.advanceTimersByTime(700_000);
      container.send('C', cellRecord('exec-1'));
      await jest.advanceTimersByTimeAsync(10);
      await jest.advanceTimersByTimeAsync(599_000);
      expect(log.filter((l) => l.startsWith('end'))).toEqual([]);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(log).toContain('end closed: idle for 600 s');
    } finally {
      jest.useRealTimers();
    }
  });

  it('on hold, lets the cell running finish and starts none of those waiting', async () => {
    const { container, session } = await opened();
    session.enqueueCell(cell(1));
    session.enqueueCell(cell(2));
    session.hold();
    container.send('C', cellRecord('exec-1'));
    await settle();
    expect(container.cells().map((c) => c.id)).toEqual(['exec-1']);
    expect(session.running).toBe(false);
    await session.end('closed', 'worker shut down');
  });

  it('fails to open when the runner refuses the payload', async () => {
    const { container, session } = setup();
    const open = session.open(container, [], STAMP);
    container.send('X', JSON.stringify({ error: 'runner could not read its payload: ValueError' }));
    await expect(open).rejects.toThrow('runner could not read its payload: ValueError');
  });
});
