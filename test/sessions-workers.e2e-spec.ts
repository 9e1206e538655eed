import { eventually } from './support/eventually';
import { FAST_FAULT_DETECTION, privateStack } from './support/private-stack';
import { listSandboxContainers } from './support/sandbox-containers';
import { exitOf } from './support/service-stack';
import { sessionsOf } from './support/sessions';

/*
 * Sessions and their workers, on a stack of this file's own with two
 * workers behind one API and faults detected within seconds: placement,
 * a worker killed outright, and a worker stopped with SIGTERM.
 */

const WORKER_LABEL = 'io.simplepysandbox.worker';

describe('sessions across workers', () => {
  let ctx: Awaited<ReturnType<typeof privateStack>>;
  let sessions: ReturnType<typeof sessionsOf>;

  const liveWorkers = async (): Promise<string[]> =>
    ((await ctx.request('GET', '/health/ready')).body.details?.workers?.live ?? []).map((w: { id: string }) => w.id);

  /** Waits until exactly these workers are live, so that sessions are placed among them. */
  const untilLive = (ids: string[]) =>
    eventually(`workers ${ids.join(', ')} to be live`, async () => {
      const live = await liveWorkers();
      return ids.every((id) => live.includes(id)) ? true : undefined;
    });

  const containersOf = async (workerId: string) =>
    (await listSandboxContainers(ctx.prefix)).filter((c) => c.Labels[WORKER_LABEL] === workerId);

  beforeAll(async () => {
    ctx = await privateStack('sess-workers', { ...FAST_FAULT_DETECTION, WORKER_SHUTDOWN_GRACE_MS: '20000' });
    await ctx.stack.start(2);
    sessions = sessionsOf(ctx.request);
    await untilLive([...ctx.stack.workers.keys()]);
  }, 60_000);

  afterAll(async () => {
    await ctx?.cleanUp();
  });

  it("places sessions on both workers through one API, and each cell runs on its session's worker", async () => {
    const a = await sessions.create();
    const b = await sessions.create();
    try {
      expect(new Set([a.workerId, b.workerId])).toEqual(new Set(ctx.stack.workers.keys()));
      await sessions.run(a.id, 'name = "a"');
      await sessions.run(b.id, 'name = "b"');
      for (const session of [a, b]) {
        const cell = await sessions.run(session.id, 'name');
        expect(cell).toMatchObject({
          workerId: session.workerId,
          result: { 'text/plain': `'${session.id === a.id ? 'a' : 'b'}'` },
        });
      }
    } finally {
      await sessions.remove(a.id);
      await sessions.remove(b.id);
    }
  });

  it('makes a session lost (410) when its worker is killed outright, and its container is reaped', async () => {
    const session = await sessions.create();
    await sessions.run(session.id, 'x = 1');
    expect(await containersOf(session.workerId)).not.toEqual([]);
    const child = ctx.stack.workers.get(session.workerId)!;
    child.kill('SIGKILL');
    expect(await exitOf(child)).toBe('SIGKILL');
    ctx.stack.workers.delete(session.workerId);

    const gone = await eventually('the session to be lost', async () => {
      const { status, body } = await sessions.get(session.id);
      return status === 410 ? body : undefined;
    });
    expect(gone).toMatchObject({ status: 'lost', reason: `its worker ${session.workerId} stopped (no heartbeat)` });
    expect((await ctx.request('POST', `/v1/sessions/${session.id}/executions`, { code: 'x' })).status).toBe(410);
    // The worker still alive reaps the dead one's containers, the session's among them.
    await eventually("the killed worker's containers to be removed", async () =>
      (await containersOf(session.workerId)).length === 0 ? true : undefined,
    );
    const listed = (await ctx.request('GET', '/v1/sessions')).body.find((s: { id: string }) => s.id === session.id);
    expect(listed).toMatchObject({ status: 'lost' });
  });

  it('lets a running cell finish on SIGTERM, then closes the session, "worker shut down"', async () => {
    const replacement = ctx.stack.startWorker();
    await untilLive([replacement]);
    const session = await sessions.create();
    const worker = session.workerId;
    const running = await ctx.request('POST', `/v1/sessions/${session.id}/executions`, {
      code: 'import time\ntime.sleep(2)\nprint("finished")',
    });
    const waiting = await ctx.request('POST', `/v1/sessions/${session.id}/executions`, { code: 'print("never")' });
    await eventually('the first cell to run', async () => {
      const { body } = await ctx.request('GET', `/v1/sessions/${session.id}/executions/${running.body.id}`);
      return body.status === 'running' ? true : undefined;
    });
    await ctx.stack.stopWorker(worker);

    const finished = (await ctx.request('GET', `/v1/sessions/${session.id}/executions/${running.body.id}`)).body;
    expect(finished).toMatchObject({ status: 'succeeded', stdout: 'finished\n', workerId: worker });
    const dropped = (await ctx.request('GET', `/v1/sessions/${session.id}/executions/${waiting.body.id}`)).body;
    expect(dropped).toMatchObject({
      status: 'error',
      error: 'the session ended before the cell ran: worker shut down',
    });
    expect((await sessions.get(session.id)).body).toMatchObject({
      statusCode: 410,
      status: 'closed',
      reason: 'worker shut down',
    });
    expect(await containersOf(worker)).toEqual([]);
  });
});
