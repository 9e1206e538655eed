import type Redis from 'ioredis';
import { redisClient } from '../support/redis-client';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createKey } from '../support/api-client';
import { ApiClient } from '../support/api-client';
import { eventually } from '../support/eventually';
import { privateStack } from '../support/private-stack';

const TTL_SECONDS = 10;
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every value held under `prefix`, whatever the key's type, as raw bytes: for a search that nothing can hide from. */
const everythingUnder = async (
  redis: Redis,
  prefix: string,
): Promise<{ key: string; type: string; bytes: Buffer }[]> => {
  const found: { key: string; type: string; bytes: Buffer }[] = [];
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) {
    for (const key of keys as string[]) {
      const type = await redis.type(key);
      let parts: (Buffer | string)[] = [];
      if (type === 'string') parts = [(await redis.getBuffer(key)) ?? Buffer.alloc(0)];
      else if (type === 'hash') parts = Object.entries(await redis.hgetallBuffer(key)).flat();
      else if (type === 'list') parts = await redis.lrangeBuffer(key, 0, -1);
      else if (type === 'set') parts = await redis.smembersBuffer(key);
      else if (type === 'zset') parts = await redis.zrangeBuffer(key, '0', '-1');
      else if (type === 'stream')
        parts = (await redis.xrangeBuffer(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
      else if (type !== 'none') throw new Error(`a key of type ${type} under the prefix: ${key}`);
      found.push({ key, type, bytes: Buffer.concat(parts.map((part) => Buffer.from(part))) });
    }
  }
  return found;
};

/** The keys (with their type) whose contents hold any of `needles`. */
const holding = async (redis: Redis, prefix: string, needles: string[]): Promise<string[]> =>
  (await everythingUnder(redis, prefix))
    .filter(({ bytes }) => needles.some((needle) => bytes.includes(needle)))
    .map(({ key, type }) => `${key} (${type})`);

const bytesHeldUnder = async (redis: Redis, prefix: string): Promise<number> => {
  let total = 0;
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) {
    for (const key of keys as string[]) total += (await redis.memory('USAGE', key, 'SAMPLES', '0')) ?? 0;
  }
  return total;
};

describe('adversarial: results in Redis', () => {
  let ctx: Awaited<ReturnType<typeof privateStack>>;
  let redis: Redis;

  beforeAll(async () => {
    ctx = await privateStack('results', { RESULT_TTL_SECONDS: String(TTL_SECONDS), WORKER_CONCURRENCY: '2' });
    await ctx.stack.start(1);
    redis = redisClient(ctx.redisUrl);
  });

  afterAll(async () => {
    redis?.disconnect();
    await ctx?.cleanUp();
  });

  it('stores output once, as the bytes the program wrote: not JSON-escaped, not in the job record, not in the event stream', async () => {
    const before = await bytesHeldUnder(redis, ctx.prefix);
    // \x01 becomes the six characters \u0001 in JSON: the worst case for a result kept as JSON.
    const result = await ctx.run(
      'import sys\nsys.stdout.buffer.write(b"\\x01" * (2 * 1024 * 1024))\nsys.stderr.buffer.write(b"\\x02" * (1024 * 1024))',
      { limits: { outputBytes: 4 * MiB } },
    );
    expect(result).toMatchObject({ status: 'succeeded', stdoutTruncated: false });
    expect(result.stdout).toBe('\u0001'.repeat(2 * MiB));
    expect(result.stderr).toBe('\u0002'.repeat(MiB));
    // The job's BullMQ record, with its code, is gone once it ended.
    await eventually('the job record to go', async () =>
      (await redis.exists(`${ctx.prefix}:executions:${result.id}`)) === 0 ? true : undefined,
    );
    const grown = (await bytesHeldUnder(redis, ctx.prefix)) - before;
    // 3 MiB of output, held once (plus the allocator's rounding); as JSON in the job and its events it was 36 MiB.
    expect(grown).toBeGreaterThanOrEqual(3 * MiB);
    expect(grown).toBeLessThan(6 * MiB);
    const streams = (await everythingUnder(redis, ctx.prefix)).filter(({ type }) => type === 'stream');
    for (const { bytes } of streams) expect(bytes.includes(Buffer.from([1, 1, 1, 1]))).toBe(false);
  });

  it('keeps nothing of an execution past RESULT_TTL_SECONDS, in any key of any type, streams included', async () => {
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    const fileCanary = Buffer.from(`${canary} in a file`).toString('base64'); // input files travel base64
    const code = `# ${canary} in the code
import sys
print(sys.stdin.read(), sys.argv[1], open("in-${canary}.txt").read())
print("${canary} on stderr", file=sys.stderr)
open("out-${canary}.txt", "w").write("${canary} in an output file")
`;
    const ran = await ctx.run(code, {
      stdin: `${canary} on stdin`,
      args: [`${canary} as an arg`],
      files: [{ path: `in-${canary}.txt`, content: `${canary} in a file` }],
    });
    expect(ran.status).toBe('succeeded');
    expect(ran.stdout).toContain(`${canary} on stdin ${canary} as an arg ${canary} in a file`);
    expect(ran.files.map((f: any) => f.path)).toContain(`out-${canary}.txt`);
    // One that failed in the service, with the canary in its error, and one cancelled while running.
    const failed = await ctx.run(`# ${canary}`, { environment: `no-such-${canary}` });
    expect(failed.status).toBe('error');
    const long = await ctx.submit(`# ${canary}\nimport time\ntime.sleep(30)`, { stdin: canary });
    await ctx.pollUntil(long, (r) => r.status === 'running');
    expect((await ctx.request('DELETE', `/v1/executions/${long}`)).body.status).toBe('cancelled');
    const ids = [ran.id, failed.id, long];
    const needles = [canary, fileCanary.slice(0, 24), ...ids];
    expect(await holding(redis, ctx.prefix, needles)).not.toEqual([]); // it was all there

    // Past the lifetime, and past one sweep: nothing of any of them anywhere, with no other job run meanwhile.
    await sleep(TTL_SECONDS * 1000 + 6000);
    expect(await holding(redis, ctx.prefix, needles)).toEqual([]);
    for (const id of ids) expect((await ctx.request('GET', `/v1/executions/${id}`)).status).toBe(404);
  }, 90_000);

  it('counts stored bytes per key: past its budget a key gets 429, and DELETE of a finished execution frees it', async () => {
    const { key } = await createKey(
      'budget',
      { quotas: { maxStoredBytes: 64 * 1024 } },
      new ApiClient(undefined, () => ctx.stack.baseUrl),
    );
    const client = new ApiClient(
      () => key,
      () => ctx.stack.baseUrl,
    );
    const big = await client.run('print("y" * 100_000)');
    expect(big.status).toBe('succeeded');
    const refused = await client.request('POST', '/v1/executions', { code: 'print(1)' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body.message).toMatch(/results hold \d+ bytes, more than its maximum of 65536/);

    const deleted = await client.request('DELETE', `/v1/executions/${big.id}`);
    expect(deleted.status).toBe(204);
    expect((await client.request('GET', `/v1/executions/${big.id}`)).status).toBe(404);
    expect(await redis.exists(`${ctx.prefix}:exec:${big.id}:stdout`)).toBe(0);
    expect((await client.run('print(1)')).stdout).toBe('1\n');
  });

  it('labels metrics with known environments only, from counters the workers keep', async () => {
    const name = `made-up-${randomBytes(6).toString('hex')}`;
    expect((await ctx.run('print(1)', { environment: name })).status).toBe('error');
    expect((await ctx.run('print(1)')).status).toBe('succeeded');
    const metrics = String((await ctx.request('GET', '/metrics')).body);
    expect(metrics).not.toContain(name);
    const sample = (labels: string) => {
      const line = metrics.split('\n').find((l) => l.startsWith(`sps_executions_total{${labels}}`));
      return line === undefined ? 0 : Number(line.split(' ').pop());
    };
    expect(sample('status="error",environment="other"')).toBeGreaterThanOrEqual(1);
    expect(sample('status="succeeded",environment="default"')).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(
      /^sps_execution_duration_seconds_bucket\{phase="run",environment="default",le="\+Inf"\} [1-9]/m,
    );
  });

  it('sets the budget per key from `npm run keys` too', () => {
    const out = execFileSync(
      process.execPath,
      [
        join(__dirname, '../../dist/apps/api/src/auth/keys.cli.js'),
        'create',
        '--name',
        `cli-budget-${randomBytes(3).toString('hex')}`,
        '--max-stored-bytes',
        '2048',
        '--json',
      ],
      { env: { ...process.env, REDIS_URL: ctx.redisUrl, REDIS_PREFIX: ctx.prefix } },
    );
    expect(JSON.parse(out.toString()).quotas).toMatchObject({ maxStoredBytes: 2048 });
  });
});
