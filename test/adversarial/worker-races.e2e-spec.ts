import Docker from 'dockerode';
import type Redis from 'ioredis';
import { redisClient } from '../support/redis-client';
import { createConnection, createServer, Server, Socket } from 'node:net';
import { eventually } from '../support/eventually';
import { privateStack } from '../support/private-stack';
import { jobOf, listSandboxContainers, WARM_POOL_JOB } from '../support/sandbox-containers';
import { freePort } from '../support/service-stack';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });

/**
 * A TCP proxy in front of Redis for the worker only, which can hold back
 * Redis's answer to one command: the one that reads a given job's cancel
 * flag. The command itself reaches Redis at once; its answer reaches the
 * worker only when the test says so. That stretches the moment between the
 * worker reading the flag and what it does next, so a cancel can land there
 * every time instead of once in a million.
 */
class ReplyHolder {
  private server: Server | undefined;
  private target: string | null = null;
  private held: { client: Socket; chunks: Buffer[] } | null = null;
  private holding = false;
  port = 0;

  async start(upstreamPort: number): Promise<void> {
    this.port = await freePort();
    this.server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
      const pair = { client, chunks: [] as Buffer[], armed: false };
      client.on('data', (chunk) => {
        const text = chunk.toString('latin1').toLowerCase();
        if (this.target && !this.holding && text.includes('exists') && text.includes(this.target)) {
          this.holding = true;
          this.held = pair;
          pair.armed = true;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (pair.armed) pair.chunks.push(chunk);
        else client.write(chunk);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  holdAnswerTo(jobId: string): void {
    this.target = jobId;
  }

  get isHolding(): boolean {
    return this.held !== null;
  }

  release(): void {
    const held = this.held as (typeof this.held & { armed: boolean }) | null;
    if (!held) return;
    held.armed = false;
    for (const chunk of held.chunks.splice(0)) held.client.write(chunk);
    this.target = null;
  }

  async stop(): Promise<void> {
    this.release();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('adversarial: races inside the worker', () => {
  let ctx: Awaited<ReturnType<typeof privateStack>>;
  let redis: Redis;
  const holder = new ReplyHolder();

  beforeAll(async () => {
    const upstream = new URL(process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379');
    await holder.start(Number(upstream.port || 6379));
    ctx = await privateStack('races', {
      WORKER_CONCURRENCY: '1',
      POOL_SIZES: 'default=1',
      POOL_MAX_SIZE: '1',
      // One attempt: a job that burns it on a dead container ends as an error instead of hiding in a retry.
      JOB_ATTEMPTS: '1',
    });
    // The worker, and only the worker, talks to Redis through the proxy.
    ctx.stack.startWorker({ REDIS_URL: `redis://127.0.0.1:${holder.port}` });
    await ctx.stack.start(0);
    await ctx.stack.waitUntilReady(60_000);
    redis = redisClient(ctx.redisUrl);
  });

  afterAll(async () => {
    redis?.disconnect();
    await ctx?.cleanUp();
    await holder.stop();
  });

  /**
   * The one pre-started container, once it is all there is and has stayed so
   * for a second: a used container of an earlier job, on its way out, is
   * never mistaken for it.
   */
  const warmContainer = async () => {
    let seen: string | undefined;
    return eventually(
      'a pre-started container and nothing else, for a second',
      async () => {
        const all = await listSandboxContainers(ctx.prefix);
        const only =
          all.length === 1 && jobOf(all[0]) === WARM_POOL_JOB && all[0].State === 'running' ? all[0] : undefined;
        const steady = only && only.Id === seen ? only : undefined;
        seen = only?.Id;
        return steady;
      },
      30_000,
      1000,
    );
  };

  // First, while no job has run yet: the only container there is the one waiting in the pool.
  it('notices a pre-started container that died while it waited, and runs the job at once on another', async () => {
    const warm = await warmContainer();
    await docker.getContainer(warm.Id).kill();
    const result = await ctx.run('print("ran")');
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'ran\n' });
  }, 90_000);

  it('loses no cancel that arrives between the worker reading the cancel flag and watching for one', async () => {
    // The only slot is busy, so the target waits in the queue while the proxy is told which job to watch.
    const blocker = await ctx.submit('import time\ntime.sleep(2)');
    await ctx.pollUntil(blocker, (r) => r.status === 'running');
    const target = await ctx.submit('import time\ntime.sleep(20)\nprint("ran to the end")', {
      limits: { timeoutMs: 30_000 },
    });
    holder.holdAnswerTo(target);
    await eventually('the worker reading the cancel flag', async () => (holder.isHolding ? true : undefined), 30_000);
    const cancel = ctx.request('DELETE', `/v1/executions/${target}`);
    // The cancel is flagged and published while the worker still waits for the flag it read before.
    await eventually('the cancel flagged', async () =>
      (await redis.exists(`${ctx.prefix}:exec:${target}:cancel`, `${ctx.prefix}:cancel:${target}`)) > 0
        ? true
        : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // the published cancel reaches the worker
    holder.release();
    const answer = await cancel;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: target, status: 'cancelled' });
    expect((await ctx.pollUntil(blocker, (r) => r.status !== 'running')).status).toBe('succeeded');
  }, 90_000);

  it('names a used pre-started container after its job', async () => {
    await warmContainer();
    const id = await ctx.submit('import time\ntime.sleep(5)');
    const serving = await eventually(
      "the job's container",
      async () => (await listSandboxContainers(ctx.prefix)).find((c) => jobOf(c) === id),
      20_000,
    );
    expect(serving.Names[0]).toBe(`/sps-${ctx.prefix}-job-${id}`);
    expect(serving.Labels['io.simplepysandbox.job']).toBe(WARM_POOL_JOB); // it was pre-started: labels cannot change
    expect((await ctx.pollUntil(id, (r) => r.status !== 'running' && r.status !== 'queued', 30_000)).status).toBe(
      'succeeded',
    );
  }, 60_000);
});
