/**
 * npm run bench: every figure from one run, on this machine, against the same image.
 * Prints one table and writes bench/results/latest.json. Targets 127.0.0.1 only,
 * and every loop is bounded in count.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { baselineContainerChurnPerS, baselineDockerRunMs, baselinePythonMs } from './baselines';
import { burst, sessionCells, sessionCreation, syncLatency, throughput } from './scenarios';
import { round, rssMb, sleep } from './stats';
import { BenchStack, freePort } from './support/bench-stack';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const IMAGE = process.env.SANDBOX_IMAGE ?? 'simplepysandbox/sandbox:latest';
const SYNC_REQUESTS = env('BENCH_SYNC_REQUESTS', 300);
const THROUGHPUT_JOBS = env('BENCH_THROUGHPUT_JOBS', 300);
const CHURN_CONTAINERS = env('BENCH_CHURN_CONTAINERS', 150);
const WARM_PAUSE_MS = env('BENCH_WARM_PAUSE_MS', 200);
const SESSION_CREATES = env('BENCH_SESSION_CREATES', 100);
const SESSION_CELLS = env('BENCH_SESSION_CELLS', 300);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCIES ?? '2,4,6').split(',').map(Number);
const RUNTIMES = (process.env.BENCH_RUNTIMES ?? 'runc,crun').split(',');
// BENCH_SCENARIOS=warm (or any of warm,sessions,cold,throughput,burst) runs only those scenarios; the baselines always run.
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'warm,sessions,cold,throughput,burst').split(','));

/** Jobs that had to start a container cold, over the stack's workers, from their heartbeats. */
const poolMisses = async (stack: BenchStack): Promise<number> => {
  const health = await (await fetch(`${stack.baseUrl}/health/ready`)).json();
  return health.details.workers.live.reduce(
    (sum: number, worker: { pool?: Record<string, { misses: number }> }) =>
      sum + Object.values(worker.pool ?? {}).reduce((n, pool) => n + pool.misses, 0),
    0,
  );
};

const BENCH_ADMIN_KEY = `bench-admin-${randomBytes(16).toString('hex')}`;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const withStack = async <T>(
  name: string,
  settings: Record<string, string>,
  body: (stack: BenchStack) => Promise<T>,
): Promise<T> => {
  const stack = new BenchStack(`bench-${name}`, await freePort(), {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `bench-${process.pid}-${name}`,
    HEARTBEAT_INTERVAL_MS: '1000',
    WAIT_CAP_MS: '60000',
    // One admin key for the run, and quotas no benchmark reaches: it measures the service, not its limits.
    ADMIN_API_KEY: BENCH_ADMIN_KEY,
    QUOTA_RATE_PER_MINUTE: '10000000',
    QUOTA_MAX_IN_FLIGHT: '1000000',
    QUOTA_MAX_CONCURRENT_REQUESTS: '1000000',
    QUOTA_MAX_STORED_BYTES: String(2 ** 40),
    // No background image build competing for the CPU while figures are taken.
    ENV_DATASCIENCE: 'off',
    ...settings,
  });
  await stack.start();
  try {
    await sleep(2000); // let the pool fill and the processes settle
    return await body(stack);
  } finally {
    await stack.stop();
  }
};

async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGb: round(totalmem() / 2 ** 30),
      node: process.version,
    },
    image: IMAGE,
    when: new Date().toISOString(),
  };

  log('baselines');
  results.baseline_python_ms = round(baselinePythonMs(IMAGE, 100), 2);
  for (const runtime of RUNTIMES) {
    results[`baseline_docker_run_ms${runtime === 'runc' ? '' : `_${runtime}`}`] = round(
      baselineDockerRunMs(IMAGE, 30, runtime),
    );
  }

  if (SCENARIOS.has('warm')) {
    log(`sync warm: ${SYNC_REQUESTS} requests, one client, ${WARM_PAUSE_MS} ms between requests`);
    await withStack('warm', { POOL_SIZES: 'default=4', WORKER_CONCURRENCY: '2' }, async (stack) => {
      results.api_rss_mb_idle = rssMb(stack.apiPid);
      results.worker_rss_mb_idle = rssMb(stack.workerPid);
      const warm = await syncLatency(stack, SYNC_REQUESTS, WARM_PAUSE_MS);
      Object.assign(results, {
        sync_warm_p50_ms: warm.p50,
        sync_warm_p90_ms: warm.p90,
        sync_warm_p99_ms: warm.p99,
        sync_warm_ok: warm.ok,
        // Jobs that found no pre-started container: the pool did not keep up.
        sync_warm_pool_misses: await poolMisses(stack),
      });
    });
  }

  if (SCENARIOS.has('sessions')) {
    log(`sessions: ${SESSION_CREATES} created with the warm pool, then ${SESSION_CELLS} cells of x += 1 in one`);
    await withStack('sessions', { POOL_SIZES: 'default=4', WORKER_CONCURRENCY: '2' }, async (stack) => {
      const created = await sessionCreation(stack, SESSION_CREATES, WARM_PAUSE_MS);
      const cells = await sessionCells(stack, SESSION_CELLS);
      Object.assign(results, {
        session_create_p50_ms: created.p50,
        session_create_p99_ms: created.p99,
        session_create_ok: created.ok,
        session_cell_p50_ms: cells.p50,
        session_cell_p99_ms: cells.p99,
        session_cell_ok: cells.ok,
      });
    });
  }

  for (const runtime of SCENARIOS.has('cold') ? RUNTIMES : []) {
    const suffix = runtime === 'runc' ? '' : `_${runtime}`;
    log(`sync cold (${runtime}): ${SYNC_REQUESTS} requests, pool disabled`);
    await withStack(`cold-${runtime}`, { POOL_SIZES: 'default=0', SANDBOX_RUNTIME: runtime }, async (stack) => {
      const cold = await syncLatency(stack, SYNC_REQUESTS, 0);
      Object.assign(results, { [`sync_cold_p50_ms${suffix}`]: cold.p50, [`sync_cold_p99_ms${suffix}`]: cold.p99 });
    });
  }

  let best = { concurrency: 0, perS: 0, churn: 0, apiRss: 0, workerRss: 0 };
  for (const concurrency of SCENARIOS.has('throughput') ? CONCURRENCIES : []) {
    log(`throughput: ${THROUGHPUT_JOBS} jobs at worker concurrency ${concurrency}`);
    const measured = await withStack(
      `tp-${concurrency}`,
      { WORKER_CONCURRENCY: String(concurrency) },
      async (stack) => {
        let apiRss = 0;
        let workerRss = 0;
        const sampler = setInterval(() => {
          apiRss = Math.max(apiRss, rssMb(stack.apiPid) || 0);
          workerRss = Math.max(workerRss, rssMb(stack.workerPid) || 0);
        }, 250);
        const run = await throughput(stack, THROUGHPUT_JOBS, concurrency * 4).finally(() => clearInterval(sampler));
        if (run.ok !== THROUGHPUT_JOBS) log(`  only ${run.ok} of ${THROUGHPUT_JOBS} succeeded`);
        return { perS: run.perS, apiRss, workerRss };
      },
    );
    log(`  ${measured.perS} jobs/s; engine churn at the same concurrency:`);
    const churn = round(await baselineContainerChurnPerS(IMAGE, CHURN_CONTAINERS, concurrency));
    log(`  ${churn} containers/s`);
    if (measured.perS > best.perS) best = { concurrency, churn, ...measured };
  }
  Object.assign(results, {
    throughput_jobs_per_s: best.perS,
    throughput_concurrency: best.concurrency,
    baseline_container_churn_per_s: best.churn,
    api_rss_mb_load: best.apiRss,
    worker_rss_mb_load: best.workerRss,
  });

  if (SCENARIOS.has('burst')) {
    log('burst: 100 concurrent synchronous requests');
    await withStack('burst', { WORKER_CONCURRENCY: String(best.concurrency || 2) }, async (stack) => {
      const b = await burst(stack, 100);
      Object.assign(results, { burst_100_ok: b.ok, burst_100_p99_ms: b.p99 });
    });
  }

  const r = results as Record<string, number>;
  results.ratios = {
    sync_warm_p50_over_baseline_python: round(r.sync_warm_p50_ms / r.baseline_python_ms, 2),
    sync_warm_p99_over_p50: round(r.sync_warm_p99_ms / r.sync_warm_p50_ms, 2),
    sync_cold_p50_over_baseline_docker_run: round(r.sync_cold_p50_ms / r.baseline_docker_run_ms, 2),
    throughput_over_baseline_container_churn: round(r.throughput_jobs_per_s / r.baseline_container_churn_per_s, 2),
    // Targets: at or below 1. A warm interpreter answers faster than a new one starts; a session made from a
    // pre-started container is ready as fast as a warm job is done.
    session_cell_p50_over_baseline_python: round(r.session_cell_p50_ms / r.baseline_python_ms, 2),
    session_create_p50_over_sync_warm_p50: round(r.session_create_p50_ms / r.sync_warm_p50_ms, 2),
  };

  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
}

const printTable = (results: Record<string, any>): void => {
  const rows: [string, string | number | undefined, string][] = [
    ['baseline_python_ms', results.baseline_python_ms, 'python3 -c pass inside one running container'],
    ['baseline_docker_run_ms', results.baseline_docker_run_ms, 'docker run --rm <image> python3 -c pass'],
    ['baseline_docker_run_ms_crun', results.baseline_docker_run_ms_crun, 'the same with --runtime crun'],
    [
      'sync_warm_p50_ms',
      results.sync_warm_p50_ms,
      `POST ?wait=true print("hi"), warm pool, ${results.sync_warm_ok}/${SYNC_REQUESTS} ok`,
    ],
    ['sync_warm_p90_ms', results.sync_warm_p90_ms, ''],
    ['sync_warm_p99_ms', results.sync_warm_p99_ms, `${results.sync_warm_pool_misses} jobs found the pool empty`],
    [
      'session_create_p50_ms',
      results.session_create_p50_ms,
      `POST /v1/sessions to ready, warm pool, ${results.session_create_ok}/${SESSION_CREATES} ok`,
    ],
    ['session_create_p99_ms', results.session_create_p99_ms, ''],
    [
      'session_cell_p50_ms',
      results.session_cell_p50_ms,
      `POST /v1/sessions/:id/executions?wait=true of x += 1, ${results.session_cell_ok}/${SESSION_CELLS} ok`,
    ],
    ['session_cell_p99_ms', results.session_cell_p99_ms, ''],
    ['sync_cold_p50_ms', results.sync_cold_p50_ms, 'the same, pool disabled (runc)'],
    ['sync_cold_p99_ms', results.sync_cold_p99_ms, ''],
    ['sync_cold_p50_ms_crun', results.sync_cold_p50_ms_crun, 'the same, pool disabled, crun'],
    [
      'throughput_jobs_per_s',
      results.throughput_jobs_per_s,
      `async, fresh container per job, worker concurrency ${results.throughput_concurrency}`,
    ],
    [
      'baseline_container_churn_per_s',
      results.baseline_container_churn_per_s,
      'create+start+wait+remove via the Engine API, same concurrency',
    ],
    [
      'burst_100',
      `${results.burst_100_ok}/100 ok, p99 ${results.burst_100_p99_ms} ms`,
      '100 concurrent synchronous requests',
    ],
    ['api_rss_mb', `${results.api_rss_mb_idle} idle, ${results.api_rss_mb_load} load`, ''],
    ['worker_rss_mb', `${results.worker_rss_mb_idle} idle, ${results.worker_rss_mb_load} load`, ''],
  ];
  const lines = [
    `| metric | value | what |`,
    `|---|---|---|`,
    ...rows.map(([m, v, w]) => `| ${m} | ${v ?? 'n/a'} | ${w} |`),
  ];
  const ratios = results.ratios as Record<string, number>;
  lines.push('', '| ratio | value |', '|---|---|', ...Object.entries(ratios).map(([k, v]) => `| ${k} | ${v} |`));
  process.stdout.write(`${lines.join('\n')}\n`);
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
