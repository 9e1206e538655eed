import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { redisPasswordFile } from '../../libs/config/src/redis.config';
import { asKey, readEvents, request } from '../support/api-client';
import { e2eRedisConfig, redisClient } from '../support/redis-client';
import { writeSdist } from '../support/wheel-maker';
import { hostile } from './hostile';

const BUILD_MS = 10 * 60_000;
const RUN = (process.env.E2E_REDIS_PREFIX ?? 'e2e').replace(/[^a-z0-9-]/g, '');

const redisAddress = (): { host: string; port: number } => {
  const url = new URL(e2eRedisConfig().url);
  return { host: url.hostname, port: Number(url.port || 6379) };
};

/** What Redis answers a client that never authenticates. */
const unauthenticated = (command: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = createConnection(redisAddress(), () => socket.write(`${command}\r\n`));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().trim());
    });
    socket.once('error', reject);
  });

/** A file's permission bits, in octal as `ls` shows them. */
const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8);

/**
 * The Redis the start scripts run (and the tests use) is the trusted core: it holds
 * every key, job and result. On the default engine (`dockerd --bridge=none`) an
 * environment build runs on the host network, as root, with the host's loopback.
 */
describe('adversarial: Redis is locked down', () => {
  hostile(
    'refuses clients without its password, caps its memory without evicting, and keeps its files private',
    async () => {
      expect(await unauthenticated('SET sps-lockdown-probe x')).toMatch(/^-NOAUTH/);
      expect(await unauthenticated('CONFIG GET requirepass')).toMatch(/^-NOAUTH/);
      const redis = redisClient();
      try {
        const [, maxmemory] = await redis.config('GET', 'maxmemory');
        const [, policy] = await redis.config('GET', 'maxmemory-policy');
        const [, dir] = await redis.config('GET', 'dir');
        expect(Number(maxmemory)).toBeGreaterThan(0);
        expect(policy).toBe('noeviction');
        // The AOF holds every tenant's code and results: neither the directory nor its files are for anyone else.
        expect(modeOf(dir)).toBe('700');
        const aof = join(dir, 'appendonlydir');
        const files = [
          ...readdirSync(aof).map((file) => join(aof, file)),
          ...readdirSync(dir)
            .filter((file) => /\.(rdb|aof)$/.test(file))
            .map((file) => join(dir, file)),
        ];
        expect(files.length).toBeGreaterThan(0);
        for (const file of files) expect([file, modeOf(file)]).toEqual([file, '600']);
      } finally {
        redis.disconnect();
      }
      // The password the start scripts wrote, which the apps, the tests and `npm run keys` read.
      const file = redisPasswordFile();
      expect(modeOf(file)).toBe('600');
      expect(modeOf(join(file, '..'))).toBe('700');
    },
  );

  hostile(
    "a package's install script, run as root by an environment build on the host network, can neither write to Redis nor mint a key",
    async () => {
      const { host, port } = redisAddress();
      const prefix = process.env.E2E_REDIS_PREFIX!;
      const marker = `${prefix}:written-by-a-build-${randomBytes(6).toString('hex')}`;
      const minted = `sps_${randomBytes(32).toString('base64url')}`;
      const mintedHash = createHash('sha256').update(minted).digest('hex');
      const mintedId = `minted-${randomBytes(6).toString('hex')}`;
      const record = {
        id: mintedId,
        name: mintedId,
        role: 'admin',
        quotas: {},
        createdAt: new Date().toISOString(),
        hash: mintedHash,
      };
      // The attack runs when pip imports the build backend: the sdist's setup.py, as root in the build container.
      const setupPy = `
import json, socket
def command(*words):
    data = b"*%d\\r\\n" % len(words)
    for word in words:
        word = word.encode()
        data += b"$%d\\r\\n%s\\r\\n" % (len(word), word)
    return data
try:
    connection = socket.create_connection((${JSON.stringify(host)}, ${port}), timeout=10)
    connection.sendall(
        command("SET", ${JSON.stringify(marker)}, "pwned")
        + command("HSET", ${JSON.stringify(`${prefix}:apikeys`)}, ${JSON.stringify(mintedId)}, ${JSON.stringify(JSON.stringify(record))})
        + command("HSET", ${JSON.stringify(`${prefix}:apikeys:hashes`)}, ${JSON.stringify(mintedHash)}, ${JSON.stringify(mintedId)})
        + command("QUIT"))
    replies = b""
    while True:
        chunk = connection.recv(4096)
        if not chunk:
            break
        replies += chunk
    for line in replies.decode(errors="replace").splitlines():
        print("sps-probe reply:", line, flush=True)
except OSError as error:
    print("sps-probe error:", error, flush=True)

def get_requires_for_build_wheel(config_settings=None):
    raise RuntimeError("sps-probe: done")
`;
      const distribution = `sps-probe-${randomBytes(4)
        .toString('hex')
        .replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)])}`;
      const wheelhouse = process.env.E2E_WHEELHOUSE!;
      const sdist = await writeSdist(wheelhouse, distribution, '0.1.0', setupPy);
      const name = `${RUN}-probe`;
      try {
        expect((await request('POST', '/v1/environments', { name, pip: [`${distribution}==0.1.0`] })).status).toBe(202);
        const { events } = await readEvents(`/v1/environments/${name}/build-log`, { timeoutMs: BUILD_MS });
        const log = events.filter((e) => e.event === 'log').map((e) => e.data);
        // The script ran and reached Redis on the host's loopback; every command was refused.
        const replies = log.filter((line) => line.includes('sps-probe reply:'));
        expect(replies).toEqual([
          expect.stringContaining('-NOAUTH'),
          expect.stringContaining('-NOAUTH'),
          expect.stringContaining('-NOAUTH'),
          expect.stringContaining('+OK'),
        ]);

        const redis = redisClient();
        try {
          expect(await redis.exists(marker)).toBe(0);
          expect(await redis.hget(`${prefix}:apikeys:hashes`, mintedHash)).toBeNull();
          expect(await redis.hget(`${prefix}:apikeys`, mintedId)).toBeNull();
        } finally {
          redis.disconnect();
        }
        expect((await asKey(minted).request('GET', '/v1/limits')).status).toBe(401);
      } finally {
        await request('DELETE', `/v1/environments/${name}`);
        rmSync(sdist, { force: true });
        // Where the lock failed, what the build wrote goes.
        const redis = redisClient();
        await Promise.all([
          redis.del(marker),
          redis.hdel(`${prefix}:apikeys`, mintedId),
          redis.hdel(`${prefix}:apikeys:hashes`, mintedHash),
        ]).finally(() => redis.disconnect());
      }
    },
    BUILD_MS,
  );
});
