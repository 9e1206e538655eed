import { isFinal, pollUntil, request, run, submit } from './support/api-client';

const PNG_WRITER = `
import os, struct, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
width, height = 3, 2
raw = b"".join(b"\\x00" + b"\\xff\\x00\\x00" * width for _ in range(height))
png = (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
os.makedirs("out", exist_ok=True)
open("out/plot.png", "wb").write(png)
print(len(png))
`;

describe('executions', () => {
  it('runs hello world synchronously', async () => {
    const result = await run('print("hello, world")');
    expect(result).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      signal: null,
      stdout: 'hello, world\n',
      stderr: '',
      environment: 'default',
    });
    expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.usage.wallMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(result.finishedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
    expect(Date.parse(result.startedAt)).toBeGreaterThanOrEqual(Date.parse(result.createdAt));
  });

  it('runs hello world asynchronously, polled through the Location header', async () => {
    const response = await request('POST', '/v1/executions', { code: 'print(6 * 7)' });
    expect(response.status).toBe(202);
    expect(response.body.status).toBe('queued');
    expect(response.headers.get('location')).toBe(`/v1/executions/${response.body.id}`);
    const result = await pollUntil(response.body.id, isFinal);
    expect(result).toMatchObject({ id: response.body.id, status: 'succeeded', stdout: '42\n' });
  });

  it('long-polls GET ?wait=true until the result is final', async () => {
    const id = await submit('import time; time.sleep(0.5); print("late")');
    const response = await request('GET', `/v1/executions/${id}?wait=true`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'succeeded', stdout: 'late\n' });
  });

  it('keeps POST /execute for clients of the original service', async () => {
    const response = await request('POST', '/execute', { code: 'print("legacy")' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'succeeded', stdout: 'legacy\n' });
  });

  it('passes stdin and args', async () => {
    const result = await run('import sys\nprint(sys.argv[1:], sys.stdin.read().upper())', {
      stdin: 'line one\nline two',
      args: ['--flag', 'two words'],
    });
    expect(result.stdout).toBe("['--flag', 'two words'] LINE ONE\nLINE TWO\n");
  });

  it('gives the code its input files, utf8 and base64, and returns none of them unchanged', async () => {
    const result = await run('print(open("data/in.csv").read().strip()); print(open("blob.bin","rb").read())', {
      files: [
        { path: 'data/in.csv', content: 'a,b\n1,2\n' },
        { path: 'blob.bin', content: Buffer.from([0, 1, 255]).toString('base64'), encoding: 'base64' },
      ],
    });
    expect(result.stdout).toBe("a,b\n1,2\nb'\\x00\\x01\\xff'\n");
    expect(result.files).toEqual([]);
  });

  it('returns files the code created or changed, as base64', async () => {
    const result = await run(`${PNG_WRITER}\nopen("notes.txt","a").write("more")`, {
      files: [
        { path: 'notes.txt', content: 'start ' },
        { path: 'same.txt', content: 'unchanged' },
      ],
    });
    expect(result.status).toBe('succeeded');
    const byPath = Object.fromEntries(result.files.map((f: any) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual(['notes.txt', 'out/plot.png']);
    const png = Buffer.from(byPath['out/plot.png'].content, 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBe(Number(result.stdout.trim()));
    expect(byPath['out/plot.png'].size).toBe(png.length);
    expect(png.readUInt32BE(16)).toBe(3); // IHDR width
    expect(Buffer.from(byPath['notes.txt'].content, 'base64').toString()).toBe('start more');
  });

  it('reports an exception as failed, with the traceback from the user code only', async () => {
    const result = await run('x = 1\n1 / 0');
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(result.stderr).toContain('Traceback (most recent call last)');
    expect(result.stderr).toContain('File "/sandbox/main.py", line 2');
    expect(result.stderr).toContain('ZeroDivisionError');
    expect(result.stderr).not.toContain('runner');
  });

  it('reports sys.exit codes as they are', async () => {
    expect(await run('import sys; sys.exit(3)')).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(await run('raise SystemExit(0)')).toMatchObject({ status: 'succeeded', exitCode: 0 });
  });

  it('times out an endless loop at the limit', async () => {
    const result = await run('while True: pass', { limits: { timeoutMs: 1000 } });
    expect(result).toMatchObject({ status: 'timeout', exitCode: null });
    expect(result.usage.wallMs).toBeGreaterThanOrEqual(1000);
    expect(result.usage.wallMs).toBeLessThan(6000);
  });

  it('kills a memory hog at the memory limit', async () => {
    const result = await run('data = b"x" * (512 * 1024 * 1024)\nprint("survived")', { limits: { memoryMb: 64 } });
    expect(result.status).toBe('oom');
    expect(result.stdout).toBe('');
  });

  it('stops an output flood at the cap and stays healthy', async () => {
    const result = await run('while True: print("flood" * 100)', { limits: { outputBytes: 4096 } });
    expect(result).toMatchObject({ status: 'output_limit', stdoutTruncated: true });
    expect(Buffer.byteLength(result.stdout)).toBe(4096);
    expect(await run('print("still fine")')).toMatchObject({ status: 'succeeded', stdout: 'still fine\n' });
    expect((await request('GET', '/health/ready')).status).toBe(200);
  });

  it('caps stderr separately from stdout', async () => {
    const result = await run('import sys\nprint("ok", flush=True)\nsys.stderr.write("e" * 10000)', {
      limits: { outputBytes: 2048 },
    });
    expect(result).toMatchObject({
      status: 'output_limit',
      stderrTruncated: true,
      stdoutTruncated: false,
      stdout: 'ok\n',
    });
    expect(result.stderr).toBe('e'.repeat(2048));
  });

  it('turns output that is not UTF-8 into valid JSON with replacement characters', async () => {
    const result = await run('import sys; sys.stdout.buffer.write(b"ok \\xff\\xfe end")');
    expect(result.stdout).toBe('ok \ufffd\ufffd end');
  });

  it('contains a fork bomb while a concurrent small job still succeeds', async () => {
    const bomb = await submit(
      'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass',
      {
        limits: { timeoutMs: 4000 },
      },
    );
    await pollUntil(bomb, (r) => r.status === 'running');
    expect(await run('print("alive")')).toMatchObject({ status: 'succeeded', stdout: 'alive\n' });
    const result = await pollUntil(bomb, isFinal);
    expect(result.status).toBe('timeout');
  });

  it('has no network inside the sandbox', async () => {
    const result = await run(`
import socket
print(sorted(name for _, name in socket.if_nameindex()))
for target in [("192.0.2.1", 80), ("8.8.8.8", 53)]:
    try:
        socket.create_connection(target, timeout=2)
        print("connected", target)
    except OSError as error:
        print("refused", error.errno)
try:
    socket.getaddrinfo("example.com", 80)
    print("resolved")
except OSError:
    print("no dns")
`);
    expect(result.status).toBe('succeeded');
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe("['lo']");
    expect(lines.slice(1, 3).every((l: string) => l.startsWith('refused'))).toBe(true);
    expect(lines[3]).toBe('no dns');
  });

  it('cannot write outside the working directory', async () => {
    const result = await run(`
import os
for path in ["/etc/evil", "/opt/sandbox/runner.py", "/usr/lib/evil", "/evil", "/sandbox/../evil"]:
    try:
        open(path, "w").write("x")
        print("wrote", path)
    except OSError:
        print("denied", path)
print(os.getuid() != 0)
`);
    expect(result.stdout).not.toContain('wrote');
    expect(result.stdout.trim().split('\n')).toEqual([
      'denied /etc/evil',
      'denied /opt/sandbox/runner.py',
      'denied /usr/lib/evil',
      'denied /evil',
      'denied /sandbox/../evil',
      'True',
    ]);
  });

  it('never returns the target of a symlink planted in the working directory', async () => {
    const result = await run(`
import os
os.symlink("/etc/passwd", "passwd")
os.symlink("/etc", "etc")
os.mkfifo("pipe")
open("real.txt", "w").write("mine")
`);
    expect(result.status).toBe('succeeded');
    expect(result.files.map((f: any) => f.path)).toEqual(['real.txt']);
    const all = result.files.map((f: any) => Buffer.from(f.content, 'base64').toString()).join('');
    expect(all).not.toContain('root:');
  });

  it('answers an unknown environment with status error', async () => {
    const result = await run('print(1)', { environment: 'no-such-env' });
    expect(result.status).toBe('error');
    expect(result.error).toBe('unknown environment "no-such-env"');
  });

  it('answers 404 for ids that do not exist', async () => {
    expect((await request('GET', '/v1/executions/4f7c2f5e-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await request('GET', '/v1/executions/not-a-uuid')).status).toBe(404);
    expect((await request('DELETE', '/v1/executions/4f7c2f5e-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('answers 202 with the id when ?wait=true runs past the wait cap', async () => {
    const response = await request('POST', '/v1/executions?wait=true', {
      code: 'import time; time.sleep(30)',
      limits: { timeoutMs: 40000 },
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/v1/executions/${response.body.id}`);
    expect((await request('DELETE', `/v1/executions/${response.body.id}`)).body.status).toBe('cancelled');
  });
});

describe('the code as main.py', () => {
  it('is a real file beside the input files, which __file__ and inspect can read, and is not returned unchanged', async () => {
    const result = await run(
      `
import inspect, os
def greet():
    return "hello"
print(os.path.abspath(__file__), os.path.exists(__file__))
print(inspect.getsource(greet).strip().splitlines()[0])
print(sorted(os.listdir(".")))
`,
      { files: [{ path: 'data.txt', content: 'x' }] },
    );
    expect(result.status).toBe('succeeded');
    expect(result.stdout.trim().split('\n')).toEqual([
      '/sandbox/main.py True',
      'def greet():',
      "['data.txt', 'main.py']",
    ]);
    expect(result.files).toEqual([]);
  });

  it('is returned when the code changes it', async () => {
    const result = await run('open(__file__, "a").write("# changed\\n")');
    expect(result.files.map((f: any) => f.path)).toEqual(['main.py']);
    expect(Buffer.from(result.files[0].content, 'base64').toString()).toBe(
      'open(__file__, "a").write("# changed\\n")# changed\n',
    );
  });

  it('cannot be sent as an input file', async () => {
    const response = await request('POST', '/v1/executions', { code: 'x', files: [{ path: 'main.py', content: 'y' }] });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('files.0.path');
  });
});
