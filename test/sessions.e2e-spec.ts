import { request as httpRequest } from 'node:http';
import { adminKey, asKey, baseUrl, createKey, isFinal, request } from './support/api-client';
import { eventually } from './support/eventually';
import { listSandboxContainers } from './support/sandbox-containers';
import { sessionsOf } from './support/sessions';

/*
 * Sessions end to end on the shared stack (default environment): real Redis,
 * Docker and runner. Scenarios that can share a session do; each test deletes
 * the sessions it made, so no container outlives it.
 */

const sessions = sessionsOf(request);

/** A session's cell result once final, however long the wait cap makes it take. */
const finalOf = (sessionId: string, executionId: string) =>
  eventually(
    `execution ${executionId} to be final`,
    async () => {
      const { body } = await request('GET', `/v1/sessions/${sessionId}/executions/${executionId}?wait=true`);
      return isFinal(body) ? body : undefined;
    },
    60_000,
    0,
  );

/** Submits a cell without waiting: 202 and where it is. */
const submit = async (sessionId: string, code: string, extra: Record<string, unknown> = {}) => {
  const response = await request('POST', `/v1/sessions/${sessionId}/executions`, { code, ...extra });
  expect(response.status).toBe(202);
  expect(response.headers.get('location')).toBe(`/v1/sessions/${sessionId}/executions/${response.body.id}`);
  return response.body.id as string;
};

/** A file of a session as raw bytes, with its headers. */
const getFile = async (sessionId: string, path: string) => {
  const response = await fetch(`${baseUrl()}/v1/sessions/${sessionId}/files/${path}`, {
    headers: { authorization: `Bearer ${adminKey()}` },
  });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
};

/** A PUT whose path goes out exactly as written, dot segments included. */
const rawPut = (path: string, body: string): Promise<{ status: number; body: any }> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl());
    const call = httpRequest(
      { hostname, port, path, method: 'PUT', headers: { authorization: `Bearer ${adminKey()}` } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
      },
    );
    call.once('error', reject);
    call.end(body);
  });

const putFile = (sessionId: string, path: string, content: Buffer | string, type = 'application/octet-stream') =>
  request('PUT', `/v1/sessions/${sessionId}/files/${path}`, Buffer.from(content) as unknown as Uint8Array, {
    'content-type': type,
  });

describe('sessions', () => {
  it('keeps globals, imports and definitions between cells, answers the last expression, and shows what is displayed', async () => {
    const created = await sessions.create();
    expect(created).toMatchObject({ status: 'ready', environment: 'default', executionCount: 0 });
    expect(Date.parse(created.expiresAt) - Date.parse(created.createdAt)).toBe(3600_000);
    expect(Date.parse(created.idleExpiresAt) - Date.parse(created.createdAt)).toBe(600_000);
    const { id } = created;
    try {
      const first = await sessions.run(id, 'import json\nx = 41\ndef twice(v):\n    return 2 * v\nprint("set")');
      expect(first).toMatchObject({ status: 'succeeded', exitCode: 0, stdout: 'set\n', result: null, displays: [] });
      const second = await sessions.run(id, 'x += 1\nprint(json.dumps({"x": x}))\ntwice(x)');
      expect(second).toMatchObject({ status: 'succeeded', stdout: '{"x": 42}\n', result: { 'text/plain': '84' } });
      expect(second.workerId).toBe(created.workerId);

      const html = await sessions.run(
        id,
        'class Table:\n    def __repr__(self):\n        return "Table()"\n    def _repr_html_(self):\n        return "<table><tr><td>1</td></tr></table>"\ndisplay("shown", Table())\nTable()',
      );
      expect(html.result).toEqual({ 'text/plain': 'Table()', 'text/html': '<table><tr><td>1</td></tr></table>' });
      expect(html.displays).toEqual([
        { mime: 'text/plain', data: "'shown'" },
        { mime: 'text/html', data: '<table><tr><td>1</td></tr></table>' },
      ]);

      const failed = await sessions.run(id, 'print(input())\nraise ValueError("boom")', { stdin: 'from stdin\n' });
      expect(failed).toMatchObject({ status: 'failed', exitCode: 1, stdout: 'from stdin\n' });
      expect(failed.stderr).toContain('File "<cell 4>", line 2, in <module>');
      expect(failed.stderr).toContain('ValueError: boom');

      // Asynchronously, as for a job: 202 with a Location, then the result there.
      const later = await submit(id, 'x * 10');
      expect(await finalOf(id, later)).toMatchObject({
        id: later,
        status: 'succeeded',
        result: { 'text/plain': '420' },
      });

      const described = (await sessions.get(id)).body;
      expect(described).toMatchObject({ id, status: 'ready', executionCount: 5 });
      expect(described.memoryBytes).toBeGreaterThan(0);
      expect(Date.parse(described.lastUsedAt)).toBeGreaterThan(Date.parse(created.lastUsedAt));
      const listed = (await request('GET', '/v1/sessions')).body;
      expect(listed.find((s: any) => s.id === id)).toMatchObject({ status: 'ready', executionCount: 5 });
    } finally {
      await sessions.remove(id);
    }
    // Deleted: 410 with the reason, and its container is gone.
    expect((await sessions.get(id)).body).toMatchObject({ statusCode: 410, status: 'closed', reason: 'deleted' });
    expect((await request('POST', `/v1/sessions/${id}/executions`, { code: 'x' })).status).toBe(410);
    const left = await listSandboxContainers();
    expect(left.filter((c) => c.Labels['io.simplepysandbox.job'] === `session-${id}`)).toEqual([]);
  });

  it('runs cells sent together one at a time in the order they were sent, and refuses past the queue cap', async () => {
    const { id } = await sessions.create();
    try {
      const first = await submit(id, 'import time\ntime.sleep(1.5)\norder = ["first"]');
      const rest = [];
      for (let i = 0; i < 15; i++) rest.push(await submit(id, `order.append(${i})`));
      // 16 queued or running: the session's cap (SESSION_MAX_QUEUED_CELLS).
      const refused = await request('POST', `/v1/sessions/${id}/executions`, { code: 'order.append("late")' });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body.message).toMatch(/already has 16 cells queued or running/);

      const results = [await finalOf(id, first), ...(await Promise.all(rest.map((e) => finalOf(id, e))))];
      expect(results.map((r) => r.status)).toEqual(results.map(() => 'succeeded'));
      for (let i = 1; i < results.length; i++)
        expect(Date.parse(results[i].startedAt)).toBeGreaterThanOrEqual(Date.parse(results[i - 1].finishedAt));
      const order = await sessions.run(id, 'order');
      expect(order.result['text/plain']).toBe(`['first', ${Array.from({ length: 15 }, (_, i) => i).join(', ')}]`);

      // Two sent at the same moment: one runs, then the other, in the order the session took them.
      const both = await Promise.all(
        ['a', 'b'].map((name) => submit(id, `import time\ntime.sleep(0.3)\norder.append("${name}")`)),
      );
      const [one, two] = (await Promise.all(both.map((e) => finalOf(id, e)))).sort(
        (x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt),
      );
      expect(Date.parse(two.startedAt)).toBeGreaterThanOrEqual(Date.parse(one.finishedAt));
      const tail = (await sessions.run(id, 'order[-2:]')).result['text/plain'];
      expect(tail).toBe(one.id === both[0] ? "['a', 'b']" : "['b', 'a']");
    } finally {
      await sessions.remove(id);
    }
  });

  it('puts, lists and gets files as raw bytes, and never serves or writes through a link', async () => {
    const { id } = await sessions.create({
      files: [{ path: 'data/in.csv', content: 'a,b\n1,2\n' }],
    });
    try {
      const binary = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) % 256));
      expect(await putFile(id, 'bin/data.bin', binary)).toMatchObject({
        status: 200,
        body: { path: 'bin/data.bin', size: 1024 },
      });
      expect((await putFile(id, 'page.html', '<script>alert(1)</script>', 'text/html')).status).toBe(200);
      expect((await putFile(id, 'conf.json', '{"k": 1}', 'application/json')).status).toBe(200);
      const cell = await sessions.run(
        id,
        'import json\nopen("out.txt", "w").write(open("data/in.csv").read().upper())\nlen(open("bin/data.bin", "rb").read()), json.load(open("conf.json"))',
      );
      expect(cell.result['text/plain']).toBe("(1024, {'k': 1})");

      const listed = (await request('GET', `/v1/sessions/${id}/files`)).body;
      expect(listed).toEqual({
        files: [
          { path: 'bin/data.bin', size: 1024 },
          { path: 'conf.json', size: 8 },
          { path: 'data/in.csv', size: 8 },
          { path: 'out.txt', size: 8 },
          { path: 'page.html', size: 25 },
        ],
        truncated: false,
      });
      const got = await getFile(id, 'bin/data.bin');
      expect(got.status).toBe(200);
      expect(got.bytes.equals(binary)).toBe(true);
      expect(got.headers.get('content-type')).toBe('application/octet-stream');
      const text = await getFile(id, 'out.txt');
      expect(text.bytes.toString()).toBe('A,B\n1,2\n');
      expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      // HTML from a session is never served as a page on the API's origin.
      const page = await getFile(id, 'page.html');
      expect(page.headers.get('content-type')).toBe('application/octet-stream');
      expect(page.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''page.html");
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");

      await sessions.run(
        id,
        'import os\nos.symlink("/etc/passwd", "passwd")\nos.symlink("/etc", "etc")\nos.symlink("out.txt", "alias")\nos.mkdir("folder")',
      );
      for (const path of ['passwd', 'etc/hostname', 'alias']) {
        const refused = await getFile(id, path);
        expect(refused.status).toBe(409);
        expect(JSON.parse(refused.bytes.toString()).message).toMatch(/is a link, or under one/);
      }
      for (const path of ['passwd', 'etc/planted']) {
        const refused = await putFile(id, path, 'x');
        expect(refused.status).toBe(409);
      }
      expect((await getFile(id, 'folder')).status).toBe(409);
      expect((await sessions.run(id, 'open("/etc/passwd").read().startswith("root")')).result['text/plain']).toBe(
        'True',
      );
      expect((await sessions.run(id, 'import os\nos.path.exists("/etc/planted")')).result['text/plain']).toBe('False');
      const withLinks = (await request('GET', `/v1/sessions/${id}/files`)).body.files.map((f: any) => f.path);
      expect(withLinks).not.toEqual(expect.arrayContaining(['passwd', 'alias', 'etc']));

      expect((await getFile(id, 'nothing-here.txt')).status).toBe(404);
      // Sent as written: a URL parser would resolve the dot segments before the server saw them.
      for (const path of ['a/%2E%2E/escape', '..%2Fescape', 'a%5Cb', 'bad%01name']) {
        const refused = await rawPut(`/v1/sessions/${id}/files/${path}`, 'x');
        expect(refused.status).toBe(400);
        expect(refused.body.message[0]).toMatch(/^path /);
      }
      expect((await sessions.run(id, 'import os\nos.path.exists("../escape")')).result['text/plain']).toBe('False');
      // Over MAX_INPUT_FILES_BYTES in, over SANDBOX_MAX_OUTPUT_FILE_BYTES out.
      expect((await putFile(id, 'huge.bin', Buffer.alloc(10 * 1024 * 1024 + 1))).status).toBe(413);
      await sessions.run(id, 'open("big.bin", "wb").truncate(8 * 1024 * 1024 + 1)');
      expect((await getFile(id, 'big.bin')).status).toBe(413);
    } finally {
      await sessions.remove(id);
    }
  });

  it('interrupts a cell at its time limit and keeps the state; an interpreter that ignores the interrupt is killed, and the session is dead', async () => {
    const { id } = await sessions.create();
    let dead = false;
    try {
      await sessions.run(id, 'kept = "yes"');
      const interrupted = await sessions.run(id, 'while True:\n    pass', { timeoutMs: 500 });
      expect(interrupted).toMatchObject({ status: 'timeout', exitCode: null, signal: 'SIGINT' });
      expect(interrupted.stderr).toMatch(/KeyboardInterrupt\n$/);
      expect((await sessions.run(id, 'kept')).result).toEqual({ 'text/plain': "'yes'" });
      expect((await sessions.get(id)).body.status).toBe('ready');

      const stubborn = await sessions.run(
        id,
        'import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(60)',
        { timeoutMs: 500 },
      );
      expect(stubborn).toMatchObject({ status: 'timeout', signal: 'SIGKILL' });
      dead = true;
      const gone = await sessions.ended(id);
      expect(gone).toMatchObject({ statusCode: 410, status: 'dead' });
      expect(gone.reason).toBe(
        `the interpreter did not stop within a second of its time limit and was killed in execution ${stubborn.id}`,
      );
    } finally {
      if (!dead) await sessions.remove(id);
    }
  });

  it('makes a session whose interpreter runs out of memory dead, and the cell that did it says oom', async () => {
    const { id } = await sessions.create({ limits: { memoryMb: 64 } });
    const cell = await sessions.run(id, 'hog = bytearray(256 * 1024 * 1024)');
    expect(cell).toMatchObject({ status: 'oom', exitCode: null, signal: 'SIGKILL' });
    const gone = await sessions.ended(id);
    expect(gone).toMatchObject({ statusCode: 410, status: 'dead' });
    expect(gone.reason).toBe(`the interpreter ran out of memory (oom) in execution ${cell.id}`);
    // Its result stays readable, with the session gone.
    expect((await request('GET', `/v1/sessions/${id}/executions/${cell.id}`)).body.status).toBe('oom');
  });

  it('closes a session idle past its idle timeout, and a busy one at the end of its lifetime', async () => {
    const idle = await sessions.create({ idleTimeoutSeconds: 2 });
    await sessions.run(idle.id, 'pass');
    const closed = await eventually('the idle session to close', async () => {
      const { body } = await sessions.get(idle.id);
      return body.statusCode === 410 ? body : undefined;
    });
    expect(closed).toMatchObject({ status: 'closed', reason: 'idle for 2 s' });

    const brief = await sessions.create({ maxLifetimeSeconds: 3 });
    const sleeping = await submit(brief.id, 'import time\ntime.sleep(50)', { timeoutMs: 60_000 });
    const ended = await finalOf(brief.id, sleeping);
    expect(ended).toMatchObject({
      status: 'error',
      error: 'the session was closed while the cell ran: its lifetime of 3 s ended',
    });
    expect((await sessions.get(brief.id)).body).toMatchObject({
      status: 'closed',
      reason: 'its lifetime of 3 s ended',
    });
  });

  it('keeps sessions apart: neither sees the files or the processes of the other', async () => {
    const a = await sessions.create();
    const b = await sessions.create();
    try {
      await sessions.run(
        a.id,
        'import subprocess\nopen("secret-a.txt", "w").write("a")\nopen("/tmp/secret-a", "w").write("a")\nsleeper = subprocess.Popen(["sleep", "300"])',
      );
      const seen = await sessions.run(
        b.id,
        'import os\ncommands = [open(f"/proc/{p}/cmdline", "rb").read() for p in os.listdir("/proc") if p.isdigit()]\n(os.listdir("."), os.path.exists("/tmp/secret-a"), any(b"sleep" in c for c in commands))',
      );
      expect(seen.result['text/plain']).toBe('([], False, False)');
      expect((await request('GET', `/v1/sessions/${b.id}/files`)).body.files).toEqual([]);
      expect((await sessions.run(a.id, 'sleeper.poll() is None')).result['text/plain']).toBe('True');
    } finally {
      await sessions.remove(a.id);
      await sessions.remove(b.id);
    }
  });

  it('gives another key the same 404 as an unknown id, on every route', async () => {
    const { id } = await sessions.create();
    try {
      const cell = await sessions.run(id, '1');
      const other = asKey((await createKey('sessions-other')).key);
      const unknown = '00000000-0000-4000-8000-000000000000';
      const calls: [string, (s: string) => string, unknown?][] = [
        ['GET', (s) => `/v1/sessions/${s}`],
        ['POST', (s) => `/v1/sessions/${s}/executions`, { code: '1' }],
        ['GET', (s) => `/v1/sessions/${s}/files`],
        ['GET', (s) => `/v1/sessions/${s}/files/x.txt`],
        ['DELETE', (s) => `/v1/sessions/${s}`],
      ];
      for (const [method, path, body] of calls) {
        const theirs = await other.request(method, path(id), body);
        const nobody = await other.request(method, path(unknown), body);
        expect(theirs.status).toBe(404);
        expect(theirs.body.message).toBe(nobody.body.message.replace(unknown, id));
      }
      expect(
        (await other.request('PUT', `/v1/sessions/${id}/files/x.txt`, 'x', { 'content-type': 'text/plain' })).status,
      ).toBe(404);
      expect((await other.request('GET', `/v1/sessions/${id}/executions/${cell.id}`)).status).toBe(404);
      expect((await other.request('GET', '/v1/sessions')).body).toEqual([]);
      // Nothing of theirs was touched.
      expect((await sessions.get(id)).body.status).toBe('ready');
    } finally {
      await sessions.remove(id);
    }
  });

  it('holds a key to its maximum of open sessions with 429, and counts a deleted one no more', async () => {
    const key = await createKey('sessions-quota', { quotas: { maxSessions: 2 } });
    const own = sessionsOf((method, path, body, headers) => asKey(key.key).request(method, path, body, headers));
    const first = await own.create();
    const second = await own.create();
    try {
      const refused = await asKey(key.key).request('POST', '/v1/sessions', {});
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body.message).toBe('this API key already has 2 sessions open (its maximum); delete one first');
      await own.remove(first.id);
      const third = await own.create();
      await own.remove(third.id);
    } finally {
      await own.remove(second.id);
    }
  });

  it('answers 400 naming the field for requests it cannot take', async () => {
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ limits: { memoryMb: 1_000_000 } }, /^limits\.memoryMb must not be greater than \d+ \(the server's maximum\)$/],
      [{ idleTimeoutSeconds: 999_999 }, /^idleTimeoutSeconds must not be greater than 3600 \(the server's maximum\)$/],
      [{ maxLifetimeSeconds: 0 }, /^maxLifetimeSeconds must not be less than 1/],
      [{ environment: 'no-such-environment' }, /^environment "no-such-environment" does not exist$/],
      [{ files: [{ path: '../x', content: 'x' }] }, /^files\.0\.path /],
      [{ shell: true }, /shell/],
    ];
    for (const [body, message] of refusals) {
      const response = await request('POST', '/v1/sessions', body);
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    }
    const { id } = await sessions.create();
    try {
      for (const [body, message] of [
        [{ code: 1 }, /^code must be a string/],
        [{ code: 'x', timeoutMs: 10_000_000 }, /^timeoutMs must not be greater than 60000/],
        [{ code: 'x', limits: {} }, /limits/],
      ] as [Record<string, unknown>, RegExp][]) {
        const response = await request('POST', `/v1/sessions/${id}/executions`, body);
        expect(response.status).toBe(400);
        expect(response.body.message).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
      }
    } finally {
      await sessions.remove(id);
    }
  });
});
