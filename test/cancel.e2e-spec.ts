import { pollUntil, request, submit } from './support/api-client';
import { eventually, sleep } from './support/eventually';
import { listSandboxContainers } from './support/sandbox-containers';

const SLEEPER = 'import time\nprint("started", flush=True)\ntime.sleep(60)';
const LONG = { limits: { timeoutMs: 60000 } };

describe('cancel', () => {
  it('kills a running job and reports it cancelled', async () => {
    // Its container's hostname is the start of the container id, warm or cold.
    const id = await submit('import socket, time\nprint(socket.gethostname(), flush=True)\ntime.sleep(60)', LONG);
    await pollUntil(id, (r) => r.status === 'running');
    await sleep(1000); // let it print before it is cancelled
    const response = await request('DELETE', `/v1/executions/${id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, status: 'cancelled' });
    const hostname = response.body.stdout.trim();
    expect(hostname).toMatch(/^[0-9a-f]{12}$/);
    // Killed before the answer; removed right after it.
    await eventually("the cancelled job's container to be removed", async () =>
      (await listSandboxContainers()).some((c) => c.Id.startsWith(hostname)) ? undefined : true,
    );
    expect((await request('GET', `/v1/executions/${id}`)).body.status).toBe('cancelled');
  });

  it('removes a queued job so that it never runs', async () => {
    // Fill both worker slots, so the third job has to wait in the queue.
    const blockers = [await submit(SLEEPER, LONG), await submit(SLEEPER, LONG)];
    for (const id of blockers) await pollUntil(id, (r) => r.status === 'running');
    const queued = await submit('open("ran.txt", "w").write("it ran")');
    expect((await request('GET', `/v1/executions/${queued}`)).body.status).toBe('queued');

    const response = await request('DELETE', `/v1/executions/${queued}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: queued, status: 'cancelled', startedAt: null, workerId: null });

    for (const id of blockers) expect((await request('DELETE', `/v1/executions/${id}`)).body.status).toBe('cancelled');
    // With free slots again, the cancelled job still does not run.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await request('GET', `/v1/executions/${queued}`)).body).toMatchObject({
      status: 'cancelled',
      startedAt: null,
      files: [],
    });
  });

  it('deletes a job that is already final: 204, then 404', async () => {
    const response = await request('POST', '/v1/executions?wait=true', { code: 'print(1)' });
    expect(response.body.status).toBe('succeeded');
    const deleted = await request('DELETE', `/v1/executions/${response.body.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    expect((await request('GET', `/v1/executions/${response.body.id}`)).status).toBe(404);
    expect((await request('DELETE', `/v1/executions/${response.body.id}`)).status).toBe(404);
  });
});
