import type { BenchStack } from './support/bench-stack';
import { elapsedMs, mapLimit, percentile, round, sleep } from './stats';

const HELLO = { code: 'print("hi")' };

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  ok: number;
  total: number;
}

const summarize = (samples: number[], ok: number): LatencySummary => ({
  p50: round(percentile(samples, 50)),
  p90: round(percentile(samples, 90)),
  p99: round(percentile(samples, 99)),
  ok,
  total: samples.length,
});

/** One synchronous request, timed from send to the last byte of the answer. */
const timedRun = async (stack: BenchStack): Promise<{ ms: number; ok: boolean }> => {
  const start = process.hrtime.bigint();
  const response = await fetch(`${stack.baseUrl}/v1/executions?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.adminKey}` },
    body: JSON.stringify(HELLO),
  });
  const body = await response.json();
  return { ms: elapsedMs(start), ok: response.status === 200 && body.status === 'succeeded' && body.stdout === 'hi\n' };
};

/** One client, one request at a time; `pauseMs` between requests lets the pool refill. */
export const syncLatency = async (stack: BenchStack, requests: number, pauseMs: number): Promise<LatencySummary> => {
  const samples: number[] = [];
  let ok = 0;
  for (let i = 0; i < requests; i++) {
    const run = await timedRun(stack);
    samples.push(run.ms);
    if (run.ok) ok++;
    if (pauseMs) await sleep(pauseMs);
  }
  return summarize(samples, ok);
};

/** `requests` synchronous requests sent at once. */
export const burst = async (stack: BenchStack, requests: number): Promise<LatencySummary> => {
  const runs = await Promise.all(Array.from({ length: requests }, () => timedRun(stack)));
  return summarize(
    runs.map((r) => r.ms),
    runs.filter((r) => r.ok).length,
  );
};

/** Async submissions until `jobs` have completed; jobs per second over the whole run. */
export const throughput = async (
  stack: BenchStack,
  jobs: number,
  clients: number,
): Promise<{ perS: number; ok: number }> => {
  const start = process.hrtime.bigint();
  const results = await mapLimit(Array.from({ length: jobs }), clients, async () => {
    const submitted = await fetch(`${stack.baseUrl}/v1/executions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.adminKey}` },
      body: JSON.stringify(HELLO),
    });
    const { id } = await submitted.json();
    const final = await fetch(`${stack.baseUrl}/v1/executions/${id}?wait=true`, {
      headers: { authorization: `Bearer ${stack.adminKey}` },
    });
    return (await final.json()).status === 'succeeded';
  });
  return { perS: round(jobs / (elapsedMs(start) / 1000)), ok: results.filter(Boolean).length };
};
