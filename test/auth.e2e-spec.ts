import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { asKey, createKey, isFinal, request } from './support/api-client';

const ROOT = join(__dirname, '..');
const cli = promisify(execFile);

/** `npm run keys` against the shared stack's Redis, as an operator would run it. */
const keysCli = async (...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> => {
  try {
    const { stdout, stderr } = await cli(
      process.execPath,
      [join(ROOT, 'dist/apps/api/src/auth/keys.cli.js'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, REDIS_URL: process.env.E2E_REDIS_URL, REDIS_PREFIX: process.env.E2E_REDIS_PREFIX },
      },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
};

describe('authentication', () => {
  const anonymous = asKey(null);

  it.each([
    ['POST', '/v1/executions'],
    ['GET', '/v1/executions/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/v1/executions/00000000-0000-4000-8000-000000000000'],
    ['POST', '/execute'],
    ['GET', '/v1/keys'],
    ['GET', '/no/such/route'],
  ])('answers %s %s without a key with 401 and a Bearer challenge', async (method, path) => {
    const response = await anonymous.request(method, path, method === 'POST' ? { code: 'print(1)' } : undefined);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="SimplePySandbox"');
    expect(response.body).toEqual({
      statusCode: 401,
      message: 'an API key is required: send "Authorization: Bearer <key>"',
      error: 'Unauthorized',
    });
  });

  it.each(['/health/live', '/health/ready', '/docs', '/docs-json'])('leaves %s open', async (path) => {
    expect((await anonymous.request('GET', path)).status).toBe(200);
  });

  it('refuses a wrong key and a malformed header with 401', async () => {
    const wrong = await asKey('sps_not-a-real-key').request('GET', '/v1/keys');
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe('the API key is not valid (unknown or revoked)');
    const basic = await anonymous.request('GET', '/v1/keys', undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' });
    expect(basic.status).toBe(401);
    expect(basic.body.message).toBe('the Authorization header must be "Bearer <key>"');
  });

  it('does not read the body of a request without a key', async () => {
    // Far over every body limit: refused with 401 before a byte of it is parsed.
    const response = await anonymous.request('POST', '/v1/executions', `{"code":"${'x'.repeat(64 * 1024 * 1024)}"}`);
    expect(response.status).toBe(401);
  });
});

describe('keys', () => {
  it('lets an admin create a user key, shown once and stored only as a hash', async () => {
    const name = `carol-${Date.now()}`;
    const created = await request('POST', '/v1/keys', {
      name,
      quotas: { maxInFlight: 3, maxLimits: { memoryMb: 128 } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      name,
      role: 'user',
      quotas: { maxInFlight: 3, maxLimits: { memoryMb: 128 } },
      createdAt: expect.any(String),
      key: expect.stringMatching(/^sps_[A-Za-z0-9_-]{43}$/),
      webhookSecret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const listed = (await request('GET', '/v1/keys')).body.find((k: any) => k.id === created.body.id);
    expect(listed).toEqual({
      id: created.body.id,
      name,
      role: 'user',
      quotas: created.body.quotas,
      createdAt: created.body.createdAt,
    });
    expect(JSON.stringify((await request('GET', '/v1/keys')).body)).not.toContain(created.body.key);
    expect(JSON.stringify((await request('GET', '/v1/keys')).body)).not.toContain(created.body.webhookSecret);
    expect((await request('GET', `/v1/keys/${created.body.id}`)).body).toEqual(listed);
    expect(await asKey(created.body.key).run('print("as carol")')).toMatchObject({
      status: 'succeeded',
      stdout: 'as carol\n',
    });
  });

  it('keeps user keys out of key management with 403', async () => {
    const user = asKey((await createKey('dave')).key);
    for (const [method, path, body] of [
      ['GET', '/v1/keys'],
      ['POST', '/v1/keys', { name: 'escalated', role: 'admin' }],
      ['DELETE', '/v1/keys/admin-env'],
      ['POST', '/v1/keys/admin-env/webhook-secret'],
    ] as const) {
      const response = await user.request(method, path, body);
      expect(response.status).toBe(403);
      expect(response.body.message).toBe('this route needs an admin API key');
    }
  });

  it('keeps user keys from creating or deleting environments, and lets them list them', async () => {
    const user = asKey((await createKey('eve')).key);
    const create = await user.request('POST', '/v1/environments', { name: 'eve-env', pip: ['six'] });
    expect(create.status).toBe(403);
    expect(create.body.message).toBe('this route needs an admin API key');
    const remove = await user.request('DELETE', '/v1/environments/default');
    expect(remove.status).toBe(403);
    expect((await user.request('GET', '/v1/environments')).status).toBe(200);
    // The admin key gets past the role check to the route itself: "default" cannot be deleted.
    expect((await request('DELETE', '/v1/environments/default')).status).toBe(409);
  });

  it('lets an admin create another admin key', async () => {
    const admin = asKey((await createKey('erin', { role: 'admin' })).key);
    expect((await admin.request('GET', '/v1/keys')).status).toBe(200);
  });

  it('stops a revoked key on its next request', async () => {
    const { id, key } = await createKey('frank');
    const frank = asKey(key);
    expect((await frank.request('GET', `/v1/executions/${id}`)).status).toBe(404);
    expect((await request('DELETE', `/v1/keys/${id}`)).status).toBe(200);
    const after = await frank.request('GET', `/v1/executions/${id}`);
    expect(after.status).toBe(401);
    expect(after.body.message).toBe('the API key is not valid (unknown or revoked)');
    expect((await request('DELETE', `/v1/keys/${id}`)).status).toBe(404);
  });

  it('refuses bad key requests with a 400 naming the field, and a taken name with 409', async () => {
    const cases: [unknown, string][] = [
      [{}, 'name should not be null or undefined'],
      [{ name: 'has space' }, 'name must be 1 to 64 letters'],
      [{ name: 'ok', role: 'root' }, 'role must be one of the following values: admin, user'],
      [{ name: 'ok', quotas: { ratePerMinute: 0 } }, 'quotas.ratePerMinute must not be less than 1'],
      [
        { name: 'ok', quotas: { maxLimits: { memoryMb: 999999 } } },
        "quotas.maxLimits.memoryMb must not be greater than 2048 (the server's maximum)",
      ],
      [{ name: 'ok', quotas: { unlimited: true } }, 'quotas.unlimited should not exist'],
      [{ name: 'ok', hash: 'abc' }, 'hash should not exist'],
    ];
    for (const [body, message] of cases) {
      const response = await request('POST', '/v1/keys', body);
      expect([body, response.status]).toEqual([body, 400]);
      expect([body, [].concat(response.body.message).some((m: string) => m.startsWith(message))]).toEqual([body, true]);
    }
    const name = `dup-${Date.now()}`;
    expect((await request('POST', '/v1/keys', { name })).status).toBe(201);
    const again = await request('POST', '/v1/keys', { name });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(`an API key named "${name}" already exists`);
    expect((await request('POST', '/v1/keys', { name: 'admin-env' })).status).toBe(409);
  });

  it('manages keys from the command line: create, list, rotate the webhook secret, revoke', async () => {
    const name = `cli-${Date.now()}`;
    const created = await keysCli('create', '--name', name, '--max-memory-mb', '96', '--max-sessions', '1', '--json');
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({
      name,
      role: 'user',
      quotas: { maxSessions: 1, maxLimits: { memoryMb: 96 } },
      key: expect.stringMatching(/^sps_/),
      webhookSecret: expect.stringMatching(/^whsec_/),
    });
    const client = asKey(key.key);
    const refused = await client.request('POST', '/v1/executions', { code: 'x', limits: { memoryMb: 97 } });
    expect(refused.body.message).toEqual(["limits.memoryMb must not be greater than 96 (this API key's maximum)"]);

    const listed = await keysCli('list');
    expect(listed.stdout).toMatch(new RegExp(`${key.id}\\s+user\\s+${name}\\s+.*1 sessions, memoryMb<=96`));
    expect(listed.stdout).not.toContain(key.key);
    expect(listed.stdout).not.toContain(key.webhookSecret);

    const rotated = await keysCli('rotate-webhook-secret', name);
    expect(rotated.code).toBe(0);
    const [secret] = /whsec_\S+/.exec(rotated.stdout) ?? [''];
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secret).not.toBe(key.webhookSecret);

    const human = await keysCli('create', '--name', `${name}-admin`, '--admin');
    expect(human.stdout).toMatch(/^Created admin key [0-9a-f]{16} /);
    expect(human.stdout).toMatch(/\n {4}sps_[A-Za-z0-9_-]{43}\n {4}whsec_[A-Za-z0-9+/]{43}=\n/);

    expect((await keysCli('revoke', name)).stdout).toBe(`Revoked key ${key.id} ("${name}").\n`);
    expect((await client.request('GET', '/v1/keys')).status).toBe(401);
    const again = await keysCli('revoke', name);
    expect(again).toMatchObject({ code: 1, stderr: `keys: API key ${name} not found\n` });
  });

  it('refuses bad command lines with a message and status 1', async () => {
    expect(await keysCli('create', '--name', 'x', '--max-in-flight', 'lots')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--max-in-flight must be a number, got "lots"'),
    });
    expect(await keysCli('create', '--name', 'bad name')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('name must be 1 to 64 letters'),
    });
    expect(await keysCli('frobnicate')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('unknown command "frobnicate"'),
    });
  });
});

describe('per-key quotas', () => {
  it('refuses more executions in flight than the key may have, with 429, and admits again once one ends', async () => {
    const key = asKey((await createKey('busy', { quotas: { maxInFlight: 2 } })).key);
    const sleep = { limits: { timeoutMs: 30_000 } };
    const first = await key.submit('import time\ntime.sleep(30)', sleep);
    const second = await key.submit('import time\ntime.sleep(30)', sleep);
    const third = await key.request('POST', '/v1/executions', { code: 'print(3)' });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(third.body.message).toBe(
      'this API key already has 2 executions queued or running (its maximum); wait for one to finish',
    );
    // Another key is not held back by this one's count.
    expect((await request('POST', '/v1/executions', { code: 'print(1)' })).status).toBe(202);
    expect((await key.request('DELETE', `/v1/executions/${first}`)).body.status).toBe('cancelled');
    const fourth = await key.request('POST', '/v1/executions?wait=true', { code: 'print(4)' });
    expect(fourth.status).toBe(200);
    expect(fourth.body.stdout).toBe('4\n');
    expect((await key.request('DELETE', `/v1/executions/${second}`)).body.status).toBe('cancelled');
  });

  it('holds a key to its own maximum limits, and its defaults under them', async () => {
    const key = asKey((await createKey('small', { quotas: { maxLimits: { memoryMb: 64, timeoutMs: 2000 } } })).key);
    const over = await key.request('POST', '/v1/executions', { code: 'x', limits: { memoryMb: 65, timeoutMs: 2001 } });
    expect(over.status).toBe(400);
    expect(over.body.message).toEqual([
      "limits.timeoutMs must not be greater than 2000 (this API key's maximum)",
      "limits.memoryMb must not be greater than 64 (this API key's maximum)",
    ]);
    const result = await key.run(
      'import os\nfor p in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]:\n    if os.path.exists(p):\n        print(open(p).read().strip())\n        break',
    );
    expect(result).toMatchObject({ status: 'succeeded', stdout: `${64 * 1024 * 1024}\n` });
    const slow = await key.run('import time\ntime.sleep(10)');
    expect(slow.status).toBe('timeout');
  });

  it('counts the rate of a key across all its routes', async () => {
    const key = asKey((await createKey('chatty', { quotas: { ratePerMinute: 3 } })).key);
    const id = await key.submit('print(1)');
    expect((await key.request('GET', `/v1/executions/${id}`)).status).toBe(200);
    expect(isFinal((await key.request('GET', `/v1/executions/${id}?wait=true`)).body)).toBe(true);
    const limited = await key.request('GET', `/v1/executions/${id}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
