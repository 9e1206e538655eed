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

const headersOf = (stack: BenchStack) => ({
  'content-type': 'application/json',
  authorization: `Bearer ${stack.adminKey}`,
});

const remove = (stack: BenchStack, id: string) =>
  fetch(`${stack.baseUrl}/v1/sessions/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${stack.adminKey}` },
  });

/**
 * `count` sessions created one after another, each timed from the POST to
 * its 201 (ready), then deleted untimed; `pauseMs` between them lets the
 * pool refill, so each can take a pre-started container.
 */
export const sessionCreation = async (stack: BenchStack, count: number, pauseMs: number): Promise<LatencySummary> => {
  const samples: number[] = [];
  let ok = 0;
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    const response = await fetch(`${stack.baseUrl}/v1/sessions`, {
      method: 'POST',
      headers: headersOf(stack),
      body: '{}',
    });
    const body = await response.json();
    samples.push(elapsedMs(start));
    if (response.status === 201 && body.status === 'ready') ok++;
    if (body.id) await remove(stack, body.id);
    if (pauseMs) await sleep(pauseMs);
  }
  return summarize(samples, ok);
};

/** `count` cells of `x += 1` in one session, one at a time, each timed from the POST to its final result. */
export const sessionCells = async (stack: BenchStack, count: number): Promise<LatencySummary> => {
  const created = await fetch(`${stack.baseUrl}/v1/sessions`, {
    method: 'POST',
    headers: headersOf(stack),
    body: '{}',
  });
  const { id } = await created.json();
  const cell = async (code: string) => {
    const response = await fetch(`${stack.baseUrl}/v1/sessions/${id}/executions?wait=true`, {
      method: 'POST',
      headers: headersOf(stack),
      body: JSON.stringify({ code }),
    });
    return (await response.json()) as { status: string; result: { 'text/plain': string } | null };
  };
  try {
    await cell('x = 0');
    const samples: number[] = [];
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      const result = await cell('x += 1');
      samples.push(elapsedMs(start));
      if (result.status === 'succeeded') ok++;
    }
    // Every cell counted once, in one interpreter.
    if ((await cell('x')).result?.['text/plain'] !== String(count)) ok = 0;
    return summarize(samples, ok);
  } finally {
    await remove(stack, id);
  }
};
