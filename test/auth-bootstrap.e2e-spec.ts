import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asKey, createKey } from './support/api-client';
import { deleteKeysUnder } from './support/redis-keys';
import { freePort, ServiceStack } from './support/service-stack';

const LOG_DIR = join(__dirname, '..', '.data', 'e2e-logs');
const logOf = (stack: ServiceStack): string => readFileSync(join(LOG_DIR, `${stack.name}-api.log`), 'utf8');

/** API-only stacks of their own: what an operator sees on a first start, on rotation, and with AUTH=off. */
describe('admin key bootstrap', () => {
  const prefixes: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sps-admin-key-'));
  const keyFile = join(dir, 'secrets', 'admin-key');

  const stackWith = async (name: string, suffix: string, env: Record<string, string>): Promise<ServiceStack> => {
    const prefix = `${process.env.E2E_REDIS_PREFIX}-${suffix}`;
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
    const stack = new ServiceStack(name, await freePort(), { REDIS_PREFIX: prefix, ...env });
    await stack.start(0);
    return stack;
  };

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await deleteKeysUnder(process.env.E2E_REDIS_URL!, ...prefixes);
  });

  it('creates one admin key on a first start with no keys, prints it once and writes it 0600; later starts create none', async () => {
    const env = { ADMIN_API_KEY: '', ADMIN_KEY_FILE: keyFile };
    const first = await stackWith('boot-first', 'boot', env);
    let key: string;
    try {
      key = readFileSync(keyFile, 'utf8').trim();
      expect(key).toMatch(/^sps_[A-Za-z0-9_-]{43}$/);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'secrets')).mode & 0o077).toBe(0);
      const log = logOf(first);
      expect(log.split(key)).toHaveLength(2);
      expect(log).toContain(`It was also written to ${keyFile} (mode 0600).`);
      const keys = await asKey(key, first.baseUrl).request('GET', '/v1/keys');
      expect(keys.status).toBe(200);
      expect(keys.body).toEqual([expect.objectContaining({ name: 'admin', role: 'admin' })]);
    } finally {
      await first.stop();
    }
    const second = await stackWith('boot-second', 'boot', env);
    try {
      expect(readFileSync(keyFile, 'utf8').trim()).toBe(key);
      expect(logOf(second)).not.toContain('sps_');
      expect((await asKey(key, second.baseUrl).request('GET', '/v1/keys')).body).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('makes ADMIN_API_KEY the admin key, and a new value replaces the old one', async () => {
    const oldKey = `rotation-old-${'o'.repeat(24)}`;
    const newKey = `rotation-new-${'n'.repeat(24)}`;
    const before = await stackWith('boot-env-old', 'rotate', { ADMIN_API_KEY: oldKey });
    try {
      expect((await asKey(oldKey, before.baseUrl).request('GET', '/v1/keys')).body).toEqual([
        expect.objectContaining({ id: 'admin-env', name: 'admin-env', role: 'admin' }),
      ]);
      expect(logOf(before)).not.toContain(oldKey);
    } finally {
      await before.stop();
    }
    const after = await stackWith('boot-env-new', 'rotate', { ADMIN_API_KEY: newKey });
    try {
      expect((await asKey(newKey, after.baseUrl).request('GET', '/v1/keys')).status).toBe(200);
      expect((await asKey(oldKey, after.baseUrl).request('GET', '/v1/keys')).status).toBe(401);
    } finally {
      await after.stop();
    }
  });

  it('keeps everything under /admin/, Bull Board included, to admin keys', async () => {
    const stack = await stackWith('boot-dashboard', 'dashboard', { QUEUE_DASHBOARD: 'true' });
    try {
      const admin = asKey(stack.adminKey, stack.baseUrl);
      const { key } = await createKey('viewer', {}, admin);
      for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
        expect((await asKey(null, stack.baseUrl).request('GET', path)).status).toBe(401);
        const asUser = await asKey(key, stack.baseUrl).request('GET', path);
        expect(asUser.status).toBe(403);
        expect(asUser.body.message).toBe('this route needs an admin API key');
        expect((await admin.request('GET', path)).status).toBe(200);
      }
    } finally {
      await stack.stop();
    }
  });

  it('with AUTH=off, lets anyone in as an admin and says so loudly at start', async () => {
    const open = await stackWith('boot-auth-off', 'open', { AUTH: 'off', ADMIN_API_KEY: '' });
    try {
      expect((await asKey(null, open.baseUrl).request('GET', '/v1/keys')).status).toBe(200);
      expect(logOf(open)).toContain('AUTH=off: authentication is DISABLED');
    } finally {
      await open.stop();
    }
  });
});
