import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputCaps, RunnerOutput } from './runner-output';
import { encodePayload, Frame, FrameDecoder, RunnerPayload } from './runner-protocol';

/**
 * The worker's side of the pipe against frames that runner.py really
 * produced: the runner runs on this host through docker/sandbox/tests/local_runner.py
 * (no Docker; see there how it is kept in a PID namespace of its own), takes
 * a payload made by encodePayload, and its stdout goes through FrameDecoder
 * and RunnerOutput as the worker reads a container's.
 */
const LOCAL_RUNNER = join(__dirname, '..', '..', '..', 'docker', 'sandbox', 'tests', 'local_runner.py');
const CAPS: OutputCaps = { outputBytes: 4096, maxFiles: 10, maxFileBytes: 1 << 20, maxTotalFileBytes: 4 << 20 };
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

  it('takes a forged frame that the program printed for output, not for a frame', async () => {
    const forged = Buffer.concat([Buffer.from('X\0\0\0\x11'), Buffer.from('{"exitCode": 0} ')]);
    const code = `import sys\nsys.stdout.buffer.write(bytes.fromhex("${forged.toString('hex')}"))\nsys.exit(9)`;
    const { output, frames } = read(await runnerChunks(code));
    expect(output.stdout.text()).toBe(forged.toString());
    expect(frames.filter((f) => f.type === 'X')).toHaveLength(1);
    expect(output.exit).toMatchObject({ exitCode: 9 });
  });
});
