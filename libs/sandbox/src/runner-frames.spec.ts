import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputCaps, RunnerOutput } from './runner-output';
import { CellRequest, encodePayload, FileRequest, Frame, FrameDecoder, RunnerPayload } from './runner-protocol';
import { CellOutput, FileReply, parseFileReply } from './session-output';

/**
 * The worker's side of the pipe against frames that runner.py really
 * produced: the runner runs on this host through docker/sandbox/tests/local_runner.py
 * (no Docker; see there how it is kept in a PID namespace of its own), takes
 * a payload made by encodePayload, and its stdout goes through FrameDecoder
 * and RunnerOutput as the worker reads a container's.
 */
const LOCAL_RUNNER = join(__dirname, '..', '..', '..', 'docker', 'sandbox', 'tests', 'local_runner.py');
const CAPS: OutputCaps = {
  outputBytes: 4096,
  maxFiles: 10,
  maxFileBytes: 1 << 20,
  maxTotalFileBytes: 4 << 20,
  maxDisplays: 5,
};
const MAX_FRAME_BYTES = CAPS.maxFileBytes + 2 + 65_535;

/** The runner's stdout, chunk by chunk as the pipe delivered it. */
const runnerChunks = (code: string, caps: OutputCaps = CAPS): Promise<Buffer[]> => {
  const workdir = mkdtempSync(join(tmpdir(), 'sps-runner-frames-'));
  const payload: RunnerPayload = {
    code,
    stdin: Buffer.from('from stdin').toString('base64'),
    args: ['x'],
    files: [],
    timeoutMs: 20_000,
    ...caps,
  };
  return new Promise<Buffer[]>((resolve, reject) => {
    const child = spawn('python3', [LOCAL_RUNNER, workdir], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let diagnostics = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (diagnostics += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(chunks) : reject(new Error(`the runner exited with ${code}: ${diagnostics}`)),
    );
    child.stdin.end(encodePayload(payload));
  }).finally(() => rmSync(workdir, { recursive: true, force: true }));
};

/** What the worker makes of those chunks. */
const read = (chunks: Buffer[], caps: OutputCaps = CAPS): { output: RunnerOutput; frames: Frame[] } => {
  const decoder = new FrameDecoder(MAX_FRAME_BYTES);
  const output = new RunnerOutput(caps);
  const frames: Frame[] = [];
  for (const chunk of chunks) {
    for (const frame of decoder.push(chunk)) {
      frames.push(frame);
      output.accept(frame);
    }
  }
  expect(decoder.midFrame).toBe(false);
  return { output, frames };
};

const JOB = [
  'import sys',
  'print("hello", input(), sys.argv[1:])',
  'sys.stderr.write("to stderr\\n")',
  'open("out.txt", "w").write("a file")',
  'open("data.bin", "wb").write(bytes(range(256)) * 3)',
  'sys.exit(4)',
].join('\n');

describe('frames from runner.py, read by FrameDecoder and RunnerOutput', () => {
  it('reads a whole job: ready, accepted, output, files and the exit record', async () => {
    const { output, frames } = read(await runnerChunks(JOB));
    expect(frames[0].type).toBe('R');
    expect(frames.at(-1)!.type).toBe('X');
    expect(output.ready && output.accepted).toBe(true);
    expect(output.stdout.text()).toBe("hello from stdin ['x']\n");
    expect(output.stderr.text()).toBe('to stderr\n');
    expect(output.files.map((f) => [f.path, f.content.toString('hex')]).sort()).toEqual(
      [
        ['data.bin', Buffer.from(Array.from({ length: 768 }, (_, i) => i % 256)).toString('hex')],
        ['out.txt', Buffer.from('a file').toString('hex')],
      ].sort(),
    );
    expect(output.exit).toMatchObject({
      exitCode: 4,
      signal: null,
      timedOut: false,
      outputLimit: false,
      filesTruncated: false,
    });
  });

  it('reads the same stream however it is cut: one byte at a time gives the same frames', async () => {
    const chunks = await runnerChunks(JOB);
    const whole = read(chunks).frames;
    const bytes = Buffer.concat(chunks);
    const byteByByte = read(Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))).frames;
    expect(byteByByte.map((f) => [f.type, f.body.toString('hex')])).toEqual(
      whole.map((f) => [f.type, f.body.toString('hex')]),
    );
  });

  it("agrees with the runner's output cap: a flood arrives cut at the cap, and the record says so", async () => {
    const { output } = read(await runnerChunks('import sys\nwhile True:\n    sys.stdout.write("z" * 999)'));
    expect(output.stdout.length).toBe(CAPS.outputBytes);
    expect(output.stdout.truncated).toBe(false);
    expect(output.exit).toMatchObject({ outputLimit: true, stdoutTruncated: true, signal: 'SIGKILL' });
  });

  it('drops a file whose name is not UTF-8, and says files were left out', async () => {
    const { output } = read(await runnerChunks('open(b"caf\\xe9", "w").write("x")\nopen("ok.txt", "w").write("y")'));
    expect(output.files.map((f) => f.path)).toEqual(['ok.txt']);
    expect(output.filesTruncated).toBe(true);
  });

  it("reads a job's displays, in order, and the record's word on those left out", async () => {
    const code = 'for i in range(7):\n    display({"n": i})';
    const { output } = read(await runnerChunks(code));
    expect(output.displays.displays.map((d) => d.data)).toEqual([0, 1, 2, 3, 4].map((i) => `{'n': ${i}}`));
    expect(output.exit).toMatchObject({ exitCode: 0, displaysTruncated: true });
  });

  it('takes a forged frame that the program printed for output, not for a frame', async () => {
    const forged = Buffer.concat([Buffer.from('X\0\0\0\x11'), Buffer.from('{"exitCode": 0} ')]);
    const code = `import sys\nsys.stdout.buffer.write(bytes.fromhex("${forged.toString('hex')}"))\nsys.exit(9)`;
    const { output, frames } = read(await runnerChunks(code));
    expect(output.stdout.text()).toBe(forged.toString());
    expect(frames.filter((f) => f.type === 'X')).toHaveLength(1);
    expect(output.exit).toMatchObject({ exitCode: 9 });
  });
});

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * A session's runner on this host, driven as the worker drives a session's
 * container: each cell's frames go through FrameDecoder and CellOutput, each
 * file answer through parseFileReply.
 */
class RunnerSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly decoder = new FrameDecoder(MAX_FRAME_BYTES);
  private readonly frames: Frame[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  private count = 0;

  constructor(private readonly workdir: string) {
    this.child = spawn('python3', [LOCAL_RUNNER, workdir], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.frames.push(...this.decoder.push(chunk));
      this.waiter?.();
    });
    this.child.stdout.once('end', () => {
      this.ended = true;
      this.waiter?.();
    });
    this.child.stderr.resume();
  }

  /** Frames up to and including the first of `types`. */
  async until(types: Frame['type'][]): Promise<Frame[]> {
    for (;;) {
      const index = this.frames.findIndex((f) => types.includes(f.type));
      if (index >= 0) return this.frames.splice(0, index + 1);
      if (this.ended) throw new Error(`the runner ended before a ${types.join('/')} frame`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  async start(files: { path: string; data: string }[] = []): Promise<Frame[]> {
    this.child.stdin.write(encodePayload({ session: true, files }));
    return this.until(['A', 'X']);
  }

  async cell(code: string, caps = { outputBytes: 4096, maxDisplays: 5 }): Promise<CellOutput> {
    const request: CellRequest = {
      op: 'cell',
      id: `cell-${++this.count}`,
      code,
      stdin: '',
      timeoutMs: 20_000,
      ...caps,
    };
    this.child.stdin.write(encodePayload(request));
    const output = new CellOutput(caps);
    for (const frame of await this.until(['C'])) output.accept(frame);
    return output;
  }

  async file(request: WithoutId<FileRequest>): Promise<FileReply> {
    const id = `op-${++this.count}`;
    this.child.stdin.write(encodePayload({ ...request, id }));
    const reply = parseFileReply((await this.until(['Q'])).at(-1)!.body, 100);
    expect(reply.id).toBe(id);
    return reply;
  }

  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.child.once('close', resolve));
    this.child.stdin.end();
    await closed;
    rmSync(this.workdir, { recursive: true, force: true });
  }
}

describe("a session's frames from runner.py, read by CellOutput and parseFileReply", () => {
  let session: RunnerSession;

  beforeEach(async () => {
    session = new RunnerSession(mkdtempSync(join(tmpdir(), 'sps-runner-session-')));
    const opening = await session.start([{ path: 'in.txt', data: Buffer.from('input').toString('base64') }]);
    expect(opening.map((f) => f.type)).toEqual(['R', 'A']);
  });

  afterEach(() => session.close());

  it('reads cells that keep their state, with output, displays, values and records', async () => {
    const first = await session.cell('import sys\nx = 40\nprint("out")\nsys.stderr.write("err")\ndisplay("shown")');
    expect([first.stdout.text(), first.stderr.text()]).toEqual(['out\n', 'err']);
    expect(first.displays.displays).toEqual([{ mime: 'text/plain', data: "'shown'" }]);
    expect(first.displays.value).toBeNull();
    expect(first.record).toMatchObject({ id: 'cell-1', exitCode: 0, kernelDied: false, timedOut: false });
    const second = await session.cell(
      'x += 2\nclass T:\n    def _repr_html_(self):\n        return "<b>%d</b>" % x\nT()',
    );
    expect(second.displays.value).toEqual({
      'text/plain': expect.stringMatching(/^<__main__\.T object/),
      'text/html': '<b>42</b>',
    });
  });

  it('reads a failing cell, and a cell whose interpreter dies, as the runner reports them', async () => {
    const failing = await session.cell('1 / 0');
    expect(failing.record).toMatchObject({ exitCode: 1, kernelDied: false });
    expect(failing.stderr.text()).toContain('ZeroDivisionError');
    const dying = await session.cell('import os\nos._exit(7)');
    expect(dying.record).toMatchObject({ exitCode: 7, kernelDied: true });
  });

  it('reads file answers: put, list, get, and a link refused', async () => {
    expect(
      await session.file({ op: 'put', path: 'dir/new.bin', data: Buffer.from([1, 2, 3]).toString('base64') }),
    ).toMatchObject({ ok: true, size: 3 });
    await session.cell('import os\nos.symlink("in.txt", "alias")');
    expect(await session.file({ op: 'list', maxEntries: 100 })).toMatchObject({
      ok: true,
      files: [
        { path: 'dir/new.bin', size: 3 },
        { path: 'in.txt', size: 5 },
      ],
      truncated: false,
    });
    const got = await session.file({ op: 'get', path: 'dir/new.bin', maxBytes: 100 });
    expect(got.ok && got.content).toEqual(Buffer.from([1, 2, 3]));
    expect(await session.file({ op: 'get', path: 'alias', maxBytes: 100 })).toEqual({
      id: expect.any(String),
      ok: false,
      error: 'link',
    });
  });
});
