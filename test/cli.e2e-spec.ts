import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminKey, baseUrl, createKey, request } from './support/api-client';
import { eventually } from './support/eventually';
import { freePort } from './support/service-stack';

/*
 * `sps` as a person runs it: the built command line as a child process, in a
 * directory of its own, against the shared stack.
 */

const SPS = join(__dirname, '..', 'dist', 'apps', 'cli', 'sps.js');
const RUN = (process.env.E2E_REDIS_PREFIX ?? 'e2e').replace(/[^a-z0-9-]/g, '');
const BUILD_MS = 10 * 60_000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

type ExecOptions = { cwd: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number };

/** Starts a command with SPS_URL and SPS_API_KEY set unless `env` says otherwise; its outcome fails if it runs past `timeoutMs`. */
const start = (
  command: string,
  args: string[],
  options: ExecOptions,
): { child: ChildProcess; outcome: Promise<Outcome> } => {
  const env: Record<string, string | undefined> = {
    ...process.env,
    SPS_URL: baseUrl(),
    SPS_API_KEY: adminKey(),
    ...options.env,
  };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child = spawn(command, args, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const outcome = new Promise<Outcome>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not end within ${options.timeoutMs} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  child.stdin.end(options.input ?? '');
  return { child, outcome };
};

const exec = (command: string, args: string[], options: ExecOptions): Promise<Outcome> =>
  start(command, args, options).outcome;

describe('the sps command line', () => {
  let cwd: string;
  const sps = (
    args: string[],
    options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {},
  ) => exec(process.execPath, [SPS, ...args], { cwd, ...options });
  const write = (name: string, content: string | Buffer) => writeFileSync(join(cwd, name), content);

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'sps-cli-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  describe('run', () => {
    it('runs a script with a file, args and stdin: prints its output, exits with its code, and writes the files it returned', async () => {
      write('data.csv', 'a,b\n1,2\n3,4\n');
      write('input.txt', 'from stdin\n');
      write(
        'sum.py',
        [
          'import csv, os, sys',
          'rows = list(csv.DictReader(open("data.csv")))',
          'total = sum(int(r["a"]) + int(r["b"]) for r in rows)',
          'print("total", total, sys.argv[1:], sys.stdin.read().strip())',
          'print("a warning", file=sys.stderr)',
          'open("result.txt", "w").write(str(total))',
          'os.makedirs("deep/er")',
          'open("deep/er/bytes.bin", "wb").write(bytes(range(256)))',
          'sys.exit(3)',
        ].join('\n'),
      );
      const { code, stdout, stderr } = await sps([
        'run',
        'sum.py',
        '--file',
        'data.csv',
        '--arg',
        'x',
        '--arg',
        '--flag',
        '--stdin',
        'input.txt',
      ]);
      expect(stdout).toBe("total 10 ['x', '--flag'] from stdin\n");
      expect(stderr).toMatch(/^a warning\n/);
      expect(code).toBe(3);
      const [id] = readdirSync(join(cwd, 'sps-out'));
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(stderr).toContain(`2 file(s) in sps-out/${id}/: result.txt, deep/er/bytes.bin`);
      expect(readFileSync(join(cwd, 'sps-out', id, 'result.txt'), 'utf8')).toBe('10');
      expect(readFileSync(join(cwd, 'sps-out', id, 'deep/er/bytes.bin'))).toEqual(
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      );
    });

    it('reads stdin from its own standard input with --stdin -, and prints the whole result with --json', async () => {
      write('echo.py', 'print(input()[::-1])');
      const { code, stdout } = await sps(['run', 'echo.py', '--stdin', '-', '--json'], { input: 'olleh\n' });
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({
        status: 'succeeded',
        exitCode: 0,
        stdout: 'hello\n',
        environment: 'default',
      });
    });

    it('exits 124 on a timeout, and says what happened', async () => {
      write('spin.py', 'while True: pass');
      const { code, stderr } = await sps(['run', 'spin.py', '--timeout', '1s']);
      expect(code).toBe(124);
      expect(stderr).toMatch(/timed out after \d+ ms of wall time and was killed; raise --timeout/);
    });

    it('exits 137 when the program runs out of memory', async () => {
      write('hog.py', 'blocks = []\nwhile True: blocks.append(bytearray(16 * 1024 * 1024))');
      const { code, stderr } = await sps(['run', 'hog.py', '--memory', '64m']);
      expect(code).toBe(137);
      expect(stderr).toContain('ran out of memory');
    });

    it('cancels the execution on Ctrl-C, and exits 130', async () => {
      write('slow.py', 'import time\ntime.sleep(50)');
      const busy = async () =>
        ((await request('GET', '/health/ready')).body.details.workers.live as { busy: number }[]).some(
          (w) => w.busy > 0,
        );
      // Nothing else runs on the shared stack meanwhile: once it is idle, the next busy slot is this script's.
      await eventually('the workers to be idle', async () => ((await busy()) ? undefined : true));
      const run = start(process.execPath, [SPS, 'run', 'slow.py', '--timeout', '60s', '--json'], { cwd });
      await eventually('the script to run', async () => ((await busy()) ? true : undefined));
      run.child.kill('SIGINT');
      const { code, stdout, stderr } = await run.outcome;
      expect(code).toBe(130);
      const result = JSON.parse(stdout);
      expect(result.status).toBe('cancelled');
      expect(stderr).toContain(`sps: interrupted; cancelling execution ${result.id}`);
      await eventually('the worker to be free again', async () => ((await busy()) ? undefined : true));
    });

    /** Resolves once the child's stdout holds `text`, reading it as it comes. */
    const stdoutShows = (child: ChildProcess, text: string): Promise<void> =>
      new Promise((resolve, reject) => {
        let seen = '';
        const onData = (chunk: Buffer) => {
          seen += chunk.toString('utf8');
          if (!seen.includes(text)) return;
          child.stdout!.off('data', onData);
          child.off('close', onClose);
          resolve();
        };
        const onClose = () => reject(new Error(`the command ended before printing ${JSON.stringify(text)}: ${seen}`));
        child.stdout!.on('data', onData);
        child.once('close', onClose);
      });

    it('prints the output live, each line once, and exits with the program', async () => {
      write('ticker.py', 'import time\nfor i in range(10):\n    print(f"line {i}")\n    time.sleep(0.2)\n');
      const run = start(process.execPath, [SPS, 'run', 'ticker.py'], { cwd });
      await stdoutShows(run.child, 'line 0\n');
      const { code, stdout } = await run.outcome;
      expect(code).toBe(0);
      expect(stdout).toBe(Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
    });

    it('shows the first line before the program ends: Ctrl-C on it cancels the program, which prints it only once', async () => {
      // Were the output only printed with the result, "first" would come after 30 s, with exit 0.
      write('slow-after-one.py', 'import time\nprint("first", flush=True)\ntime.sleep(30)\nprint("never")\n');
      const run = start(process.execPath, [SPS, 'run', 'slow-after-one.py', '--timeout', '60s'], { cwd });
      await stdoutShows(run.child, 'first\n');
      expect(run.child.exitCode).toBeNull();
      run.child.kill('SIGINT');
      const { code, stdout, stderr } = await run.outcome;
      expect(code).toBe(130);
      expect(stdout).toBe('first\n');
      expect(stderr).toMatch(/sps: interrupted; cancelling execution [0-9a-f-]{36}/);
    });

    it('exits 77 with a clear message for a bad key, and for no key', async () => {
      write('one.py', 'print(1)');
      const bad = await sps(['run', 'one.py', '--key', 'not-a-real-key']);
      expect(bad.code).toBe(77);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toBe(
        `sps: the service at ${baseUrl()} refused the API key: the API key is not valid (unknown or revoked)\n  Set SPS_API_KEY or --key to a valid key.\n`,
      );
      const none = await sps(['run', 'one.py'], { env: { SPS_API_KEY: undefined } });
      expect(none.code).toBe(77);
      expect(none.stderr).toContain('an API key is required');
    });

    it('exits 69 when the service cannot be reached, 65 when it refuses the request, 66 for a missing script', async () => {
      write('one.py', 'print(1)');
      const url = `http://127.0.0.1:${await freePort()}`;
      const unreachable = await sps(['run', 'one.py', '--url', url]);
      expect(unreachable.code).toBe(69);
      expect(unreachable.stderr).toContain(`sps: cannot reach ${url}: ECONNREFUSED`);
      const invalid = await sps(['run', 'one.py', '--memory', '1000000m']);
      expect(invalid.code).toBe(65);
      expect(invalid.stderr).toMatch(/refused the request:\n {2}- limits\.memoryMb must not be greater than \d+/);
      const missing = await sps(['run', 'missing.py']);
      expect(missing.code).toBe(66);
      expect(missing.stderr).toBe('sps: cannot read the script missing.py: ENOENT\n');
    });

    it('exits 75 over quota, with the time to wait', async () => {
      const { key } = await createKey('cli-rate', { quotas: { ratePerMinute: 1 } });
      expect((await sps(['env', 'list'], { env: { SPS_API_KEY: key } })).code).toBe(0);
      const limited = await sps(['env', 'list'], { env: { SPS_API_KEY: key } });
      expect(limited.code).toBe(75);
      expect(limited.stderr).toMatch(
        /^sps: over quota: rate limit of 1 requests per minute exceeded; retry in \d+ s\n$/,
      );
    });

    it('explains itself: --help with examples exits 0, a usage mistake exits 64', async () => {
      const help = await sps(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
      expect(help.stdout).toContain('sps run analyse.py --env datascience');
      const usage = await sps(['run', 'x.py', '--timeout', 'soon']);
      expect(usage.code).toBe(64);
      expect(usage.stderr).toContain('expected a duration');
    });
  });

  describe('env', () => {
    const name = `${RUN}-cli-env`;

    it(
      'creates an environment from a spec and follows the build live, with a progress line on a terminal',
      async () => {
        write('spec.json', JSON.stringify({ name, apt: ['python3-six'] }));
        // `script` gives the command a terminal, as a person's shell would.
        const command = `${process.execPath} ${SPS} env create spec.json --follow`;
        const { code, stdout } = await exec('script', ['-qfec', command, '/dev/null'], { cwd, timeoutMs: BUILD_MS });
        expect(code).toBe(0);
        expect(stdout).toContain(`\r\x1b[2K`);
        expect(stdout).toMatch(new RegExp(`building ${name} · \\d+s · \\d+ lines`));
        expect(stdout).toContain('Successfully tagged');
        expect(stdout).toContain(`sps: environment ${name} is ready`);

        const list = await sps(['env', 'list']);
        expect(list.code).toBe(0);
        expect(list.stdout).toMatch(new RegExp(`^${name}\\s+ready\\s+no\\s`, 'm'));
        write('six.py', 'import six; print(six.__name__)');
        expect(await sps(['run', 'six.py', '--env', name])).toMatchObject({ code: 0, stdout: 'six\n' });

        expect(await sps(['env', 'rm', name])).toMatchObject({ code: 0, stderr: `sps: removed environment ${name}\n` });
        const again = await sps(['env', 'rm', name]);
        expect(again.code).toBe(1);
        expect(again.stderr).toBe(`sps: environment "${name}" not found\n`);
      },
      BUILD_MS,
    );

    it(
      'exits non-zero when the build fails, with the reason, and the log on stdout',
      async () => {
        const bad = `${RUN}-cli-bad`;
        const missing = `sps-no-such-package-${RUN}`;
        write('bad.json', JSON.stringify({ name: bad, apt: [missing] }));
        const { code, stdout, stderr } = await sps(['env', 'create', 'bad.json', '--follow'], { timeoutMs: BUILD_MS });
        expect(code).toBe(1);
        expect(stdout).toContain(`Unable to locate package ${missing}`);
        expect(stderr).toContain(`sps: environment ${bad} did not build: failed: `);
        // Not a terminal: no progress line, no escape codes.
        expect(stderr).not.toContain('\x1b');
        expect((await sps(['env', 'rm', bad])).code).toBe(0);
      },
      BUILD_MS,
    );

    it('refuses a spec that is not JSON, and a user key, with their own exit codes', async () => {
      write('broken.json', '{"name": ');
      expect(await sps(['env', 'create', 'broken.json'])).toMatchObject({
        code: 65,
        stderr: expect.stringContaining('broken.json is not valid JSON'),
      });
      const { key } = await createKey('cli-user');
      write('spec.json', JSON.stringify({ name: `${RUN}-cli-never`, apt: ['python3-six'] }));
      const forbidden = await sps(['env', 'create', 'spec.json'], { env: { SPS_API_KEY: key } });
      expect(forbidden.code).toBe(77);
      expect(forbidden.stderr).toContain('(this needs an admin API key)');
    });
  });

  describe('session', () => {
    // A PNG made with the standard library, shown through _repr_png_: display() needs no plotting library.
    const PICTURE = [
      'import struct, zlib',
      'def png(width, height):',
      '    def chunk(kind, data):',
      '        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))',
      '    rows = b"".join(b"\\x00" + b"\\xff\\x00\\x00" * width for _ in range(height))',
      '    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)',
      '    return b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")',
      '',
      'class Picture:',
      '    def __init__(self, width, height):',
      '        self.size = (width, height)',
      '    def _repr_png_(self):',
      '        return png(*self.size)',
      '',
    ];

    it('runs piped cells, multi-line blocks included, in one session: state kept, values printed, PNG displays saved', async () => {
      const input = [
        ...PICTURE,
        'total = 0',
        'for i in range(4):',
        '    total += i',
        '',
        'values = [',
        '    total,',
        '    total * 2,',
        ']',
        'print("sum", sum(values))',
        'raise ValueError("boom")',
        'display(Picture(3, 2), "a note")',
        'display(Picture(5, 4))',
        'values',
        'exit()',
        'print("never run")',
      ].join('\n');
      const { code, stdout, stderr } = await sps(['session', '--memory', '128m'], { input: `${input}\n` });
      expect(code).toBe(0);
      expect(stdout).toBe("sum 18\n'a note'\n[6, 12]\n");
      expect(stderr).toContain('ValueError: boom');
      const id = /session ([0-9a-f-]{36}) on default is ready: 128 MB/.exec(stderr)?.[1];
      expect(id).toBeDefined();
      for (const [n, width, height] of [
        [1, 3, 2],
        [2, 5, 4],
      ]) {
        expect(stderr).toContain(`sps: display ${n} (image/png) saved to sps-out/${id}/display-${n}.png\n`);
        const png = readFileSync(join(cwd, 'sps-out', id!, `display-${n}.png`));
        expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([width, height]);
      }
      expect(readdirSync(join(cwd, 'sps-out', id!)).sort()).toEqual(['display-1.png', 'display-2.png']);
      expect(stderr).toContain(`sps: session ${id} closed\n`);
      // Closed by `exit()`: the service says so, and nothing after it ran.
      const after = await request('GET', `/v1/sessions/${id}`);
      expect(after.status).toBe(410);
      expect(after.body).toMatchObject({ status: 'closed', reason: 'deleted' });
    });

    it('prompts on a terminal, with ... for the lines of a block', async () => {
      const command = `${process.execPath} ${SPS} session`;
      const { code, stdout } = await exec('script', ['-qfec', command, '/dev/null'], {
        cwd,
        input: 'if True:\n    x = 6\n\nx * 7\nexit()\n',
      });
      expect(code).toBe(0);
      expect(stdout).toContain('>>> ');
      expect(stdout).toContain('... ');
      // After the escape codes that redraw the prompt line: 42 on a line of its own.
      expect(stdout).toMatch(/[^0-9]42\r*\n/);
    });

    it('closes the session at the end of the input, running a block left open there', async () => {
      const { code, stdout, stderr } = await sps(['session'], { input: 'for c in "ab":\n    print(c * 2)' });
      expect(code).toBe(0);
      expect(stdout).toBe('aa\nbb\n');
      const id = /session ([0-9a-f-]{36}) on default/.exec(stderr)?.[1];
      expect((await request('GET', `/v1/sessions/${id}`)).status).toBe(410);
    });

    it('exits 75 with the retry time when the key has its sessions open, and documents itself', async () => {
      const { key } = await createKey('cli-sessions', { quotas: { maxSessions: 0 } });
      const refused = await sps(['session'], { env: { SPS_API_KEY: key } });
      expect(refused.code).toBe(75);
      expect(refused.stderr).toMatch(/^sps: over quota: .*sessions open.*; retry in \d+ s\n$/);
      const help = await sps(['session', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('a blank line ends a block');
    });
  });

  describe('keys', () => {
    it('offers a flag for every quota a key has, as the service documents them', async () => {
      const document = (await request('GET', '/docs-json')).body;
      const { properties } = document.components.schemas.KeyQuotasDto;
      const limits = Object.keys(document.components.schemas.LimitsDto.properties);
      const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const flags = [
        ...Object.keys(properties)
          .filter((name) => name !== 'maxLimits')
          .map(kebab),
        ...limits.map((name) => `max-${kebab(name)}`),
      ];
      expect(flags.length).toBeGreaterThanOrEqual(10);
      const help = await sps(['keys', 'create', '--help']);
      expect(help.code).toBe(0);
      for (const flag of flags) expect(help.stdout).toContain(`--${flag} <n>`);
    });

    it('creates a key with every quota set, and refuses a quota out of bounds', async () => {
      const created = await sps([
        'keys',
        'create',
        '--name',
        `cli-quotas-${RUN}-${Date.now()}`,
        '--rate-per-minute',
        '90',
        '--max-in-flight',
        '4',
        '--max-stored-bytes',
        '1048576',
        '--max-concurrent-requests',
        '6',
        '--max-sessions',
        '2',
        '--max-timeout-ms',
        '5000',
        '--max-memory-mb',
        '128',
        '--max-cpus',
        '0.5',
        '--max-pids',
        '32',
        '--max-output-bytes',
        '65536',
        '--json',
      ]);
      expect(created.code).toBe(0);
      const key = JSON.parse(created.stdout);
      expect(key.quotas).toEqual({
        ratePerMinute: 90,
        maxInFlight: 4,
        maxStoredBytes: 1048576,
        maxConcurrentRequests: 6,
        maxSessions: 2,
        maxLimits: { timeoutMs: 5000, memoryMb: 128, cpus: 0.5, pids: 32, outputBytes: 65536 },
      });
      expect((await sps(['keys', 'revoke', key.id])).code).toBe(0);
      const tooSmall = await sps(['keys', 'create', '--name', `cli-small-${RUN}`, '--max-stored-bytes', '10']);
      expect(tooSmall.code).toBe(65);
      expect(tooSmall.stderr).toContain('quotas.maxStoredBytes must not be less than 1024');
    });

    it('creates, lists and revokes keys through /v1/keys; a revoked key stops working', async () => {
      const keyName = `cli-${RUN}-${Date.now()}`;
      const created = await sps([
        'keys',
        'create',
        '--name',
        keyName,
        '--max-in-flight',
        '2',
        '--max-sessions',
        '3',
        '--json',
      ]);
      expect(created.code).toBe(0);
      const key = JSON.parse(created.stdout);
      expect(key).toMatchObject({ name: keyName, role: 'user', quotas: { maxInFlight: 2, maxSessions: 3 } });
      expect((await sps(['keys', 'list'])).stdout).toContain(keyName);
      write('one.py', 'print("as the new key")');
      expect(await sps(['run', 'one.py'], { env: { SPS_API_KEY: key.key } })).toMatchObject({
        code: 0,
        stdout: 'as the new key\n',
      });
      expect((await sps(['keys', 'revoke', key.id])).code).toBe(0);
      expect((await sps(['run', 'one.py'], { env: { SPS_API_KEY: key.key } })).code).toBe(77);
      expect(existsSync(join(cwd, 'sps-out'))).toBe(false);
    });
  });
});
