import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminKey, request, run } from './support/api-client';
import { eventually } from './support/eventually';
import { sample } from './support/prometheus-text';

const LOGS = join(__dirname, '..', '.data', 'e2e-logs');
const logLines = (file: string): any[] =>
  readFileSync(join(LOGS, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe('metrics', () => {
  it('serves Prometheus text with job, queue, worker and HTTP metrics, learned through Redis', async () => {
    const before = await request('GET', '/metrics');
    const succeededBefore =
      sample(before.body, 'sps_executions_total', { status: 'succeeded', environment: 'default' }) ?? 0;
    const failedBefore = sample(before.body, 'sps_executions_total', { status: 'failed', environment: 'default' }) ?? 0;
    const observed = (text: string, phase: string) =>
      sample(text, 'sps_execution_duration_seconds_count', { phase, environment: 'default' }) ?? 0;
    const runsBefore = observed(before.body, 'run');
    await run('print("counted")');
    await run('raise SystemExit(3)');

    const metrics = await eventually('the jobs to be counted', async () => {
      const response = await request('GET', '/metrics');
      const succeeded =
        sample(response.body, 'sps_executions_total', { status: 'succeeded', environment: 'default' }) ?? 0;
      const failed = sample(response.body, 'sps_executions_total', { status: 'failed', environment: 'default' }) ?? 0;
      // Durations are observed just after the count, once the job's timestamps are read back.
      const timed =
        observed(response.body, 'run') >= runsBefore + 2 && observed(response.body, 'queue_wait') >= runsBefore + 2;
      return succeeded >= succeededBefore + 1 && failed >= failedBefore + 1 && timed ? response : undefined;
    });
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text: string = metrics.body;
    for (const phase of ['queue_wait', 'run']) expect(observed(text, phase)).toBeGreaterThanOrEqual(runsBefore + 2);
    expect(sample(text, 'sps_queue_jobs', { queue: 'executions', state: 'waiting' })).toEqual(expect.any(Number));
    expect(sample(text, 'sps_queue_depth', { queue: 'executions' })).toEqual(expect.any(Number));
    expect(
      sample(text, 'sps_queue_jobs_finished_total', { queue: 'executions', outcome: 'completed' }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'sps_active_containers')).toEqual(expect.any(Number));
    expect(sample(text, 'sps_workers_live')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sps_worker_concurrency', { worker: `${process.env.E2E_REDIS_PREFIX}-w1` })).toBe(2);
    expect(
      sample(text, 'sps_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/executions',
        status_code: '200',
      }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('counts a running job as an active container', async () => {
    const id = (
      await request('POST', '/v1/executions', { code: 'import time\ntime.sleep(30)', limits: { timeoutMs: 60000 } })
    ).body.id;
    await eventually('the container to be counted', async () => {
      const text = (await request('GET', '/metrics')).body;
      return (sample(text, 'sps_active_containers') ?? 0) >= 1 ? true : undefined;
    });
    expect((await request('DELETE', `/v1/executions/${id}`)).body.status).toBe('cancelled');
  });
});

describe('logs', () => {
  it('are JSON with request ids, carry the job id on worker lines, and never hold API keys or whole programs', async () => {
    const marker = `UNIQUE_MARKER_${Date.now()}`;
    const requestId = `obs-${process.pid}-${Date.now()}`;
    const code = `# ${'x'.repeat(200)}\nprint("${marker}")`;
    const response = await request(
      'POST',
      '/v1/executions?wait=true',
      { code },
      { 'x-api-key': 'sk-live-do-not-log', authorization: `Bearer ${adminKey()}`, 'x-request-id': requestId },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const jobId = response.body.id;

    const apiLine = await eventually('the request to be logged', async () =>
      logLines('e2e-api.log').find((l) => l.req?.id === requestId),
    );
    expect(apiLine).toMatchObject({ level: 30, app: 'api', res: { statusCode: 200 } });
    expect(apiLine.req.headers['x-api-key']).toBe('[redacted]');
    expect(apiLine.req.headers.authorization).toBe('[redacted]');

    const generated = (await request('GET', '/health/live')).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);

    const workerLog = `e2e-${process.env.E2E_REDIS_PREFIX}-w1.log`;
    const jobLines = await eventually('the job to be logged', async () => {
      const lines = logLines(workerLog).filter((l) => l.jobId === jobId);
      return lines.length ? lines : undefined;
    });
    expect(jobLines[0]).toMatchObject({ app: 'worker', jobId });

    for (const file of ['e2e-api.log', workerLog]) {
      const text = readFileSync(join(LOGS, file), 'utf8');
      expect(text).not.toContain('sk-live-do-not-log');
      expect(text).not.toContain(adminKey());
      expect(text).not.toContain(marker);
    }
  });
});

describe('the queue dashboard', () => {
  it('is off unless QUEUE_DASHBOARD turns it on', async () => {
    expect((await request('GET', '/admin/queues')).status).toBe(404);
  });
});
