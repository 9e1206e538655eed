import { randomUUID } from 'node:crypto';
import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import { connect } from 'node:net';
import { adminKey, asKey, baseUrl, createKey, HttpResponse, request, submit } from '../support/api-client';
import { redisClient } from '../support/redis-client';
import { hostile } from './hostile';

const post = (body: unknown, headers: Record<string, string> = {}) => request('POST', '/v1/executions', body, headers);

/** Error bodies carry messages written for the caller, never a stack trace or a path on the server. */
const expectCleanError = (response: HttpResponse, status: number): void => {
  expect(response.status).toBe(status);
  expect(Object.keys(response.body).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(response.body.statusCode).toBe(status);
  const text = JSON.stringify(response.body);
  expect(text).not.toMatch(/\/work\/|\/app\/|node_modules|dist\/|\.ts:\d|\.js:\d|\n\s+at /);
};

const messages = (response: HttpResponse): string[] => [].concat(response.body.message);

describe('adversarial: api', () => {
  hostile('an oversized body is refused with 413 before it is parsed, per route', async () => {
    const keys = await request('POST', '/v1/keys', { name: 'x'.repeat(200 * 1024) });
    expectCleanError(keys, 413);
    expect(keys.body.message).toBe('the body is larger than this route accepts (131072 bytes)');
    // The same 200 KB is fine for an execution, whose limit is sized for code, stdin and files...
    const code = `# ${'x'.repeat(200 * 1024)}\nprint(1)`;
    expect((await post({ code })).status).toBe(202);
    // ...up to its own limit.
    const huge = await post(`{"code":"${'x'.repeat(40 * 1024 * 1024)}"}`);
    expectCleanError(huge, 413);
    expect(huge.body.message).toMatch(/^the body is larger than this route accepts \(\d+ bytes\)$/);
  });

  hostile('a client still sending a refused body gets the 413, not a reset, every time', async () => {
    // Answered by Content-Length before the body is read; the connection lingers while the rest arrives.
    const body = JSON.stringify({ name: 'x'.repeat(16 * 1024 * 1024) });
    for (let attempt = 0; attempt < 10; attempt++) {
      const response = await request('POST', '/v1/keys', body);
      expect(response.status).toBe(413);
    }
  });

  hostile(
    'a connection that keeps trickling a refused body is closed within seconds',
    async () => {
      const { hostname, port } = new URL(baseUrl());
      // Half-open allowed: this client never ends its side, so only the server can close the connection.
      const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /v1/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${adminKey()}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{"name":"',
      );
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('error', () => undefined);
      const trickle = setInterval(() => socket.writable && socket.write('x'.repeat(1024)), 100);
      const started = Date.now();
      await new Promise((resolve) => socket.once('close', resolve));
      clearInterval(trickle);
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      // The linger is bounded (2 s): a slow sender cannot hold a connection open by trickling.
      expect(Date.now() - started).toBeLessThan(15_000);
    },
    30_000,
  );

  hostile('code over the server maximum but within the body limit is a 400 naming the field', async () => {
    const response = await post({ code: 'x'.repeat(1024 * 1024 + 1) });
    expectCleanError(response, 400);
    expect(messages(response)).toEqual(['code must be at most 1048576 bytes']);
  });

  hostile('compressed bodies are refused, whatever the encoding', async () => {
    const body = JSON.stringify({ code: 'print(1)' });
    for (const [encoding, data] of [
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
      ['br', brotliCompressSync(body)],
      ['GZIP', gzipSync(body)],
      ['identity, gzip', gzipSync(body)],
    ] as const) {
      const response = await post(data, { 'content-type': 'application/json', 'content-encoding': encoding });
      expectCleanError(response, 415);
      expect(response.body.message).toBe(
        `Content-Encoding "${encoding.toLowerCase()}" is not accepted: send the body uncompressed`,
      );
    }
  });

  hostile('a gzip bomb is refused without being inflated', async () => {
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const response = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expectCleanError(response, 415);
  });

  hostile('bodies that are not JSON are refused with 415', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      const response = await post('code=print(1)', { 'content-type': type });
      expectCleanError(response, 415);
      expect(response.body.message).toBe(`Content-Type ${JSON.stringify(type)} is not accepted: send application/json`);
    }
  });

  hostile('malformed JSON is a 400 that says so', async () => {
    for (const body of ['{"code": ', '{code: "x"}', "{'code': 'x'}", '{"code":"x",}', 'NaN', '{"code":"x"} trailing']) {
      const response = await post(body);
      expectCleanError(response, 400);
      expect(response.body.message).toMatch(/^the body is not valid JSON: /);
    }
  });

  hostile('JSON that is valid but not an object is refused', async () => {
    for (const body of ['null', '"print(1)"', '[]', '42', 'true']) {
      const response = await post(body);
      expect([body, response.status]).toEqual([body, 400]);
    }
  });

  hostile('deeply nested JSON is refused without a crash, however deep', async () => {
    for (const depth of [33, 1000, 100_000, 2_000_000]) {
      const response = await post(`{"code":"x","limits":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      expectCleanError(response, 400);
      expect(response.body.message).toBe('the body nests objects and arrays more than 32 levels deep');
    }
    expect((await request('GET', '/health/live')).status).toBe(200);
  });

  hostile('prototype-pollution keys are refused at every level', async () => {
    for (const [body, key] of [
      ['{"code":"x","__proto__":{"isAdmin":true}}', '__proto__'],
      ['{"code":"x","limits":{"__proto__":{"memoryMb":99999}}}', '__proto__'],
      ['{"code":"x","files":[{"path":"a","content":"b","__proto__":{"x":1}}]}', '__proto__'],
      ['{"code":"x","constructor":{"prototype":{"isAdmin":true}}}', 'prototype'],
      ['{"code":"x","constructor":{"name":"x"}}', 'constructor'],
      ['{"name":"evil","role":"user","quotas":{"__proto__":{"maxInFlight":1000000}}}', '__proto__'],
    ]) {
      const target = body.startsWith('{"name"') ? '/v1/keys' : '/v1/executions';
      const response = await request('POST', target, body);
      expectCleanError(response, 400);
      expect(response.body.message).toBe(`the body must not contain the key "${key}", at any level`);
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  hostile('nothing in a request reaches container settings: every such field is refused by name', async () => {
    const fields: [Record<string, unknown>, string][] = [
      [{ image: 'alpine' }, 'image should not exist'],
      [{ user: 'root' }, 'user should not exist'],
      [{ mounts: [{ source: '/', target: '/host' }] }, 'mounts should not exist'],
      [{ binds: ['/:/host'] }, 'binds should not exist'],
      [{ env: { LD_PRELOAD: '/tmp/x.so' } }, 'env should not exist'],
      [{ workingDir: '/' }, 'workingDir should not exist'],
      [{ capabilities: ['SYS_ADMIN'] }, 'capabilities should not exist'],
      [{ privileged: true }, 'privileged should not exist'],
      [{ runtime: 'runc' }, 'runtime should not exist'],
      [{ networkMode: 'host' }, 'networkMode should not exist'],
      [{ limits: { memoryMb: 64, securityOpt: ['seccomp=unconfined'] } }, 'limits.securityOpt should not exist'],
      [{ limits: { pids: 64, HostConfig: { Privileged: true } } }, 'limits.HostConfig should not exist'],
      [{ files: [{ path: 'a', content: 'b', mode: 0o4755 }] }, 'files.0.mode should not exist'],
      [{ files: [{ path: 'a', content: 'b', target: '/etc/passwd' }] }, 'files.0.target should not exist'],
      [{ environment: 'default:latest' }, 'environment must match'],
      [{ environment: '../../etc' }, 'environment must match'],
      [{ network: 'host' }, 'network must be a boolean value'],
    ];
    for (const [extra, message] of fields) {
      const response = await post({ code: 'x', ...extra });
      expectCleanError(response, 400);
      expect([extra, messages(response).some((m) => m.startsWith(message))]).toEqual([extra, true]);
    }
  });

  hostile('over-limit and ill-typed values are refused with a 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ limits: { memoryMb: 1_000_000 } }, "limits.memoryMb must not be greater than 2048 (the server's maximum)"],
      [{ limits: { timeoutMs: 10 ** 12 } }, "limits.timeoutMs must not be greater than 60000 (the server's maximum)"],
      [{ limits: { pids: 100_000 } }, "limits.pids must not be greater than 512 (the server's maximum)"],
      [
        { limits: { outputBytes: 2 ** 40 } },
        "limits.outputBytes must not be greater than 8388608 (the server's maximum)",
      ],
      [{ limits: { memoryMb: -1 } }, 'limits.memoryMb must not be less than 32'],
      [{ limits: { timeoutMs: 1.5 } }, 'limits.timeoutMs must be an integer number'],
      [{ limits: { cpus: 'Infinity' } }, 'limits.cpus must be a number'],
      [{ args: Array(300).fill('a') }, 'args must have at most 256 entries'],
      [{ stdin: 'x'.repeat(1024 * 1024 + 1) }, 'stdin must be at most 1048576 bytes'],
    ];
    for (const [extra, message] of cases) {
      const response = await post({ code: 'x', ...extra });
      expectCleanError(response, 400);
      expect([extra, messages(response)]).toEqual([extra, expect.arrayContaining([expect.stringContaining(message)])]);
    }
    // 1e400 parses as Infinity: refused, where JSON.stringify would have sent null (which means "the default").
    const infinite = await post('{"code":"x","limits":{"timeoutMs":1e400}}');
    expectCleanError(infinite, 400);
    expect(messages(infinite)).toContain('limits.timeoutMs must be an integer number');
  });

  hostile("another tenant's ids answer exactly like ids that do not exist, on GET, wait and DELETE", async () => {
    const alice = asKey((await createKey('alice')).key);
    const mallory = asKey((await createKey('mallory')).key);
    const finished = await alice.run('print("secret of alice")');
    const running = await alice.submit('import time\ntime.sleep(30)', { limits: { timeoutMs: 40_000 } });
    const nobody = randomUUID();
    for (const id of [finished.id, running]) {
      for (const [method, path] of [
        ['GET', `/v1/executions/${id}`],
        ['GET', `/v1/executions/${id}?wait=true`],
        ['DELETE', `/v1/executions/${id}`],
      ]) {
        const stolen = await mallory.request(method, path);
        const missing = await mallory.request(method, path.replace(id, nobody));
        expectCleanError(stolen, 404);
        expect(stolen.body).toEqual({ ...missing.body, message: missing.body.message.replace(nobody, id) });
        expect(JSON.stringify(stolen.body)).not.toContain('secret of alice');
      }
    }
    // Even an admin key does not see another key's executions.
    expect((await request('GET', `/v1/executions/${finished.id}`)).status).toBe(404);
    // The owner still has both, the running one untouched by the attempts to cancel it.
    expect((await alice.request('GET', `/v1/executions/${finished.id}`)).body.stdout).toBe('secret of alice\n');
    expect((await alice.request('GET', `/v1/executions/${running}`)).body.status).toMatch(/^(queued|running)$/);
    expect((await alice.request('DELETE', `/v1/executions/${running}`)).body.status).toBe('cancelled');
  });

  hostile(
    'a flood from one key is held at its rate with 429 and Retry-After, and other keys are not affected',
    async () => {
      const flooder = asKey((await createKey('flooder', { quotas: { ratePerMinute: 5 } })).key);
      const bystander = asKey((await createKey('bystander')).key);
      const statuses: number[] = [];
      let refused: HttpResponse | undefined;
      for (let i = 0; i < 12; i++) {
        const response = await flooder.request('GET', `/v1/executions/${randomUUID()}`);
        statuses.push(response.status);
        if (response.status === 429) refused ??= response;
      }
      expect(statuses).toEqual([...Array(5).fill(404), ...Array(7).fill(429)]);
      expectCleanError(refused!, 429);
      expect(refused!.body.message).toMatch(/^rate limit of 5 requests per minute exceeded; retry in \d+ s$/);
      const retryAfter = Number(refused!.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(12);
      expect((await flooder.request('POST', '/v1/executions', { code: 'print(1)' })).status).toBe(429);
      expect(await bystander.run('print("unaffected")')).toMatchObject({ status: 'succeeded', stdout: 'unaffected\n' });
    },
  );

  hostile('an unexpected failure inside the API is a plain 500, with the detail only in the log', async () => {
    // A job record that cannot be read: BullMQ throws while loading it.
    const id = randomUUID();
    const redis = redisClient();
    try {
      await redis.hset(`${process.env.E2E_REDIS_PREFIX}:executions:${id}`, {
        name: 'run',
        data: '{broken',
        opts: '{broken',
        timestamp: 'x',
      });
      const response = await request('GET', `/v1/executions/${id}`);
      expectCleanError(response, 500);
      expect(response.body).toEqual({
        statusCode: 500,
        message: 'Internal server error',
        error: 'Internal Server Error',
      });
    } finally {
      await redis.del(`${process.env.E2E_REDIS_PREFIX}:executions:${id}`);
      redis.disconnect();
    }
  });

  hostile('ids that are not UUIDs, or hostile in themselves, are plain 404s', async () => {
    for (const id of ['x', '..%2f..%2fetc%2fpasswd', '%00', "'%20OR%201=1%20--", '*', '%7B%7D', '%F0%9F%98%80']) {
      const response = await request('GET', `/v1/executions/${id}`);
      expectCleanError(response, 404);
    }
    // Fastify's router refuses a path parameter longer than 100 characters itself, before any hook.
    const long = await request('GET', `/v1/executions/${'a'.repeat(5000)}`);
    expect(long.status).toBe(414);
    expect(JSON.stringify(long.body)).not.toMatch(/\/work\/|node_modules|\n\s+at /);
    const id = await submit('print(1)');
    expect((await request('GET', `/v1/executions/${id.toUpperCase()}`)).status).toBe(404);
  });
});
