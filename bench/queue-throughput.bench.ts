/**
 * How many jobs one Redis moves through BullMQ on this machine: a private
 * redis-server (AOF fsync every second, as scripts/prereqs.sh runs it) on
 * loopback, N no-op jobs added in bulk and processed by one Worker. Printed as
 * jobs per second and as a ratio to plain SET commands measured in the same run.
 * Bounded: a fixed number of jobs, and it gives up after a minute.
 *
 *   npx tsc --outDir .data/bench --module commonjs --target es2022 --esModuleInterop --skipLibCheck bench/queue-throughput.bench.ts
 *   node .data/bench/queue-throughput.bench.js
 */
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/bench-stack';

const JOBS = Number(process.env.BENCH_JOBS ?? 5000);
const SETS = Number(process.env.BENCH_SETS ?? 20000);
const CONCURRENCY = 50;
const LIMIT_MS = 60_000;

const main = async (): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'sps-bench-'));
  const port = await freePort();
  // Locked as scripts/prereqs.sh runs it: a password, given on stdin, so that no command line shows it.
  const password = randomBytes(24).toString('hex');
  const server = spawn('redis-server', ['-'], { stdio: ['pipe', 'ignore', 'ignore'] });
  server.stdin.end(
    [
      'bind 127.0.0.1',
      `port ${port}`,
      `dir ${dir}`,
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      `requirepass ${password}`,
      '',
    ].join('\n'),
  );
  const giveUp = setTimeout(() => {
    console.error('gave up after a minute');
    server.kill('SIGKILL');
    process.exit(1);
  }, LIMIT_MS);
  const url = `redis://:${password}@127.0.0.1:${port}`;
  const client = new Redis(url, { retryStrategy: (n) => (n > 50 ? null : 100) });
  client.on('error', () => undefined);
  await client.ping();
  try {
    // Baseline: plain SETs, pipelined 50 at a time, like BullMQ's own traffic pattern.
    let started = performance.now();
    for (let i = 0; i < SETS; i += CONCURRENCY) {
      const pipeline = client.pipeline();
      for (let j = 0; j < CONCURRENCY; j++) pipeline.set(`bench:${i + j}`, 'x');
      await pipeline.exec();
    }
    const setsPerSecond = SETS / ((performance.now() - started) / 1000);

    const connection = { url };
    const queue = new Queue('bench', { connection });
    started = performance.now();
    for (let i = 0; i < JOBS; i += 500) {
      await queue.addBulk(
        Array.from({ length: Math.min(500, JOBS - i) }, (_, j) => ({
          name: 'run',
          data: { i: i + j },
          opts: { removeOnComplete: { age: 3600, count: 10000 } },
        })),
      );
    }
    const addPerSecond = JOBS / ((performance.now() - started) / 1000);

    let done = 0;
    started = performance.now();
    await new Promise<void>((resolve) => {
      const worker = new Worker('bench', async () => undefined, { connection, concurrency: CONCURRENCY });
      worker.on('completed', () => {
        if (++done === JOBS) void worker.close().then(resolve);
      });
    });
    const processPerSecond = JOBS / ((performance.now() - started) / 1000);
    await queue.close();

    console.log(`plain SET (pipelined):   ${setsPerSecond.toFixed(0)} ops/s (baseline)`);
    console.log(
      `BullMQ add (bulk):       ${addPerSecond.toFixed(0)} jobs/s (${(addPerSecond / setsPerSecond).toFixed(3)} x baseline)`,
    );
    console.log(
      `BullMQ process (c=${CONCURRENCY}):  ${processPerSecond.toFixed(0)} jobs/s (${(processPerSecond / setsPerSecond).toFixed(3)} x baseline)`,
    );
  } finally {
    clearTimeout(giveUp);
    client.disconnect();
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
};

void main();
