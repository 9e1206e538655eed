import Redis from 'ioredis';
import { request as httpRequest } from 'node:http';
import { ApiClient, createKey } from '../support/api-client';
import { eventually } from '../support/eventually';
import { PrivateRedis } from '../support/private-redis';
import { privateStack } from '../support/private-stack';

const KiB = 1024;

/** The clients connected to a Redis, by the command each last ran. */
const clients = async (redis: Redis): Promise<{ cmd: string }[]> =>
  String(await redis.client('LIST'))
    .trim()
    .split('\n')
    .map((line: string) => ({ cmd: /\bcmd=(\S+)/.exec(line)?.[1] ?? '' }));

/**
 * An API with no worker, on a Redis of its own: every job stays queued, every
 * build stays building, so waits and event streams stay open as long as the
 * test likes, and the Redis clients seen are this stack's alone.
 */
describe('adversarial: what one caller can make an API process hold', () => {
  const redisServer = new PrivateRedis();
  let ctx: Awaited<ReturnType<typeof privateStack>>;
  let redis: Redis;
  let base: () => string;

  beforeAll(async () => {
    await redisServer.start();
    ctx = await privateStack('bounds', {
      REDIS_URL: redisServer.url,
      API_MAX_BODY_BYTES_IN_FLIGHT: String(512 * KiB),
      API_MAX_EVENT_STREAMS_PER_KEY: '2',
      API_MAX_EVENT_STREAMS: '3',
      WAIT_CAP_MS: '20000',
    });
    await ctx.stack.start(0);
    redis = new Redis(redisServer.url);
    base = () => ctx.stack.baseUrl;
  });

  afterAll(async () => {
    redis?.disconnect();
    await ctx?.cleanUp();
    await redisServer.stop();
  });

  it('refuses a body past the bytes being read at once with 503 and Retry-After, and takes it once there is room', async () => {
    // A client that declares 400 KiB and sends them slowly holds its share while it sends.
    const slow = httpRequest(`${base()}/v1/executions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(400 * KiB),
        authorization: `Bearer ${process.env.E2E_ADMIN_KEY}`,
      },
    });
    const slowAnswer = new Promise<number>((resolve) => {
      slow.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      slow.on('error', () => resolve(0));
    });
    const head = '{"code": "# ';
    slow.write(head);
    const body = { code: `# ${'x'.repeat(200 * KiB)}\nprint(1)` };
    const refused = await eventually('a refusal while the slow body is being read', async () => {
      const answer = await ctx.request('POST', '/v1/executions', body);
      return answer.status === 503 ? answer : undefined;
    });
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body.message).toMatch(/request bodies/);
    slow.end(`${'y'.repeat(400 * KiB - head.length - 2)}"}`);
    expect(await slowAnswer).toBe(202);
    expect((await ctx.request('POST', '/v1/executions', body)).status).toBe(202);
  });

  it("caps one key's requests in progress at once with 429, and frees the slot when one ends", async () => {
    const { key } = await createKey(
      'concurrent',
      { quotas: { maxConcurrentRequests: 2 } },
      new ApiClient(undefined, base),
    );
    const client = new ApiClient(() => key, base);
    const id = await client.submit('print(1)'); // no worker: it stays queued, so a wait holds its request
    const waits = [1, 2].map(() => {
      const abort = new AbortController();
      const answer = fetch(`${base()}/v1/executions/${id}?wait=true`, {
        headers: { authorization: `Bearer ${key}` },
        signal: abort.signal,
      }).then(
        (response) => response.json(),
        () => null,
      );
      return { abort, answer };
    });
    const third = await eventually('the third request refused', async () => {
      const answer = await client.request('GET', `/v1/executions/${id}`);
      return answer.status === 429 ? answer : undefined;
    });
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(third.body.message).toMatch(/2 requests in progress/);
    // Another key is not affected.
    expect((await ctx.request('GET', `/v1/executions/${id}`)).status).toBe(404);
    // A waiting request holds one channel for its own execution, and nothing reads every result.
    const channels = await redis.pubsub('CHANNELS', `${ctx.prefix}:exec:*`);
    expect(channels).toEqual([`${ctx.prefix}:exec:${id}:changed`]);
    expect((await clients(redis)).filter((c) => /^xread/.test(c.cmd))).toEqual([]);
    // One wait given up frees its slot; the cancel that takes it ends the other wait.
    waits[0].abort.abort();
    const cancelled = await eventually('the cancel let through', async () => {
      const answer = await client.request('DELETE', `/v1/executions/${id}`);
      return answer.status === 200 ? answer : undefined;
    });
    expect(cancelled.body.status).toBe('cancelled');
    expect(await waits[1].answer).toMatchObject({ id, status: 'cancelled' });
  });

  it('caps event streams per key, and followers of a build log share connections', async () => {
    const created = await ctx.request('POST', '/v1/environments', { name: 'never-built', apt: ['python3-six'] });
    expect(created.status).toBe(202);
    const connectionsBefore = (await clients(redis)).length;
    const streams = [1, 2].map(() => {
      const abort = new AbortController();
      const opened = fetch(`${base()}/v1/environments/never-built/build-log`, {
        headers: { authorization: `Bearer ${process.env.E2E_ADMIN_KEY}`, accept: 'text/event-stream' },
        signal: abort.signal,
      });
      return { abort, opened };
    });
    for (const { opened } of streams) expect((await opened).status).toBe(200);
    const third = await ctx.request('GET', '/v1/environments/never-built/build-log');
    expect(third.status).toBe(429);
    expect(third.body.message).toMatch(/2 event streams open/);
    // Two more followers, and not one more Redis connection.
    expect((await clients(redis)).length).toBeLessThanOrEqual(connectionsBefore + 1);
    streams.forEach(({ abort }) => abort.abort());
    await eventually('a stream slot given back', async () => {
      const again = await fetch(`${base()}/v1/environments/never-built/build-log`, {
        headers: { authorization: `Bearer ${process.env.E2E_ADMIN_KEY}` },
        signal: AbortSignal.timeout(1000),
      }).catch(() => null);
      return again?.status === 200 ? true : undefined;
    });
  });

  it("caps an execution's event streams per key with 429 and per process with 503 and Retry-After", async () => {
    const admin = new ApiClient(undefined, base);
    const [a, b] = [(await createKey('streams-a', {}, admin)).key, (await createKey('streams-b', {}, admin)).key];
    // No worker: the jobs stay queued, so their streams stay open.
    const [idA, idB] = [
      await new ApiClient(() => a, base).submit('print(1)'),
      await new ApiClient(() => b, base).submit('print(2)'),
    ];
    const open: AbortController[] = [];
    const follow = async (key: string, execution: string) => {
      const abort = new AbortController();
      const response = await fetch(`${base()}/v1/executions/${execution}/events`, {
        headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
        signal: abort.signal,
      });
      if (response.status === 200) {
        open.push(abort);
        return { status: 200, retryAfter: null, message: '' };
      }
      const { message } = (await response.json()) as { message: string };
      return { status: response.status, retryAfter: response.headers.get('retry-after'), message };
    };
    try {
      // Until the streams of earlier tests have given their slots back, the process may be fuller than this test's own.
      const perKey = await eventually('two streams of one key, then its third refused', async () => {
        const firstTwo = [await follow(a, idA), await follow(a, idA)];
        const third = await follow(a, idA);
        if (firstTwo.every((r) => r.status === 200) && third.status === 429) return third;
        open.splice(0).forEach((abort) => abort.abort());
        return undefined;
      });
      expect(perKey.retryAfter).toMatch(/^\d+$/);
      expect(perKey.message).toMatch(/2 event streams open/);
      expect((await follow(b, idB)).status).toBe(200);
      // Three open in this process, its maximum: a key well within its own share is refused too.
      const full = await follow(b, idB);
      expect(full.status).toBe(503);
      expect(full.retryAfter).toMatch(/^\d+$/);
      expect(full.message).toMatch(/3 event streams open/);
    } finally {
      open.forEach((abort) => abort.abort());
    }
  });
});
