import { readFileSync } from 'node:fs';
import { isFinal } from '../support/api-client';
import { COLD_CONTAINERS_ONLY, privateStack } from '../support/private-stack';
import { redisClient } from '../support/redis-client';
import { hostile } from './hostile';

const MiB = 1024 * 1024;

/** Each rewrite of a queued job's data, and the problem the worker names when it refuses it. */
const REWRITES: [string, (data: Record<string, any>) => void, string][] = [
  ['memoryMb', (d) => (d.limits.memoryMb = 1024 * 1024), "limits.memoryMb is 1048576, above this worker's maximum"],
  ['timeoutMs', (d) => (d.limits.timeoutMs = 3_600_000), "limits.timeoutMs is 3600000, above this worker's maximum"],
  ['cpus', (d) => (d.limits.cpus = 1024), "limits.cpus is 1024, above this worker's maximum"],
  ['pids', (d) => (d.limits.pids = 100_000), "limits.pids is 100000, above this worker's maximum"],
  [
    'outputBytes',
    (d) => (d.limits.outputBytes = 256 * MiB),
    "limits.outputBytes is 268435456, above this worker's maximum",
  ],
  ['a limit as text', (d) => (d.limits.memoryMb = '999999'), 'limits.memoryMb is not an integer'],
  ['code', (d) => (d.code = `print("ran")\n#${'x'.repeat(MiB)}`), 'code is over 1048576 bytes'],
  ['stdin', (d) => (d.stdin = 'x'.repeat(MiB + 1)), 'stdin is over 1048576 bytes'],
  ['args', (d) => (d.args = Array(257).fill('a')), 'args has more than 256 entries'],
  [
    'files',
    (d) => (d.files = [{ path: 'big', data: Buffer.alloc(10 * MiB + 1).toString('base64') }]),
    'files total over 10485760 bytes',
  ],
  [
    'a file path',
    (d) => (d.files = [{ path: '../../etc/x', data: '' }]),
    'files.0.path must not contain "." or ".." segments',
  ],
];

/**
 * Whoever can write to Redis can rewrite a queued job between the API's checks
 * and the worker. The worker checks the job again, against its own maxima, and
 * refuses it: an `error` result that names the problem, nothing run, no retry.
 */
describe('adversarial: a queued job rewritten in Redis', () => {
  hostile(
    'is refused by the worker for every limit and input size it breaks: never run, never retried',
    async () => {
      // No worker yet: the jobs stay queued while their data is rewritten.
      const ctx = await privateStack('tamper', { ...COLD_CONTAINERS_ONLY, JOB_ATTEMPTS: '3' });
      const redis = redisClient();
      try {
        await ctx.stack.start(0);
        const ids: string[] = [];
        for (const [label, rewrite] of REWRITES) {
          const id = await ctx.submit('print("ran")');
          const key = `${ctx.prefix}:executions:${id}`;
          const data = JSON.parse((await redis.hget(key, 'data'))!);
          rewrite(data);
          expect([label, await redis.hset(key, 'data', JSON.stringify(data))]).toEqual([label, 0]);
          ids.push(id);
        }
        const worker = ctx.stack.startWorker();
        const results = await Promise.all(ids.map((id) => ctx.pollUntil(id, isFinal, 60_000)));
        results.forEach((result, i) => {
          const [label, , problem] = REWRITES[i];
          expect([label, result]).toEqual([
            label,
            expect.objectContaining({
              status: 'error',
              error: expect.stringContaining(problem),
              stdout: '',
              usage: null,
              startedAt: null,
            }),
          ]);
        });
        // One attempt each, although three were allowed: a refusal is final. Each attempt logs its refusal once.
        const log = readFileSync(ctx.stack.logPath(worker), 'utf8');
        for (const id of ids) expect([id, log.split(`job ${id}: refused by worker`).length - 1]).toEqual([id, 1]);
      } finally {
        redis.disconnect();
        await ctx.cleanUp();
      }
    },
    120_000,
  );
});
