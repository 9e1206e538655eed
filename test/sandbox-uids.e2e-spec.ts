import { RedisConnection } from '@sps/redis';
import { SANDBOX_LABELS } from '@sps/sandbox';
import { NoFreeUidError, SandboxUids } from '../apps/worker/src/runtime/sandbox-uids.service';
import { eventually, sleep } from './support/eventually';
import { e2eRedisConfig } from './support/redis-client';
import { deleteKeysUnder } from './support/redis-keys';

/**
 * The uid leases against the real Redis, as several worker processes on one
 * engine hold them: each SandboxUids stands for one process.
 */
describe('sandbox uid leases', () => {
  const prefix = `${process.env.E2E_REDIS_PREFIX}-uids`;
  const connections: RedisConnection[] = [];

  const processOn = (engine: string, range: string, reaper = { reaperDeadlineGraceMs: 0, reaperIntervalMs: 100 }) => {
    const [first, last] = range.split('-').map(Number);
    const settings: Record<string, unknown> = {
      redis: e2eRedisConfig(prefix),
      'sandbox.uidRange': { first, last },
      worker: { id: `w-${connections.length}`, ...reaper },
    };
    const config = { get: (key: string) => settings[key] } as never;
    const connection = new RedisConnection(config);
    connections.push(connection);
    return new SandboxUids(connection, { engineId: async () => engine } as never, config);
  };
  const labels = (uid: number) => ({ [SANDBOX_LABELS.uid]: String(uid) });
  const LONG = 600_000;

  afterAll(async () => {
    await Promise.all(connections.map((c) => c.onModuleDestroy()));
    await deleteKeysUnder(e2eRedisConfig().url, prefix);
  });

  it('gives processes sharing an engine different uids, until the range is used up', async () => {
    const [a, b] = [processOn('engine-1', '30000-30002'), processOn('engine-1', '30000-30002')];
    const uids = [await a.lease(LONG), await b.lease(LONG), await a.lease(LONG)];
    expect([...uids].sort()).toEqual([30000, 30001, 30002]);
    await expect(b.lease(LONG)).rejects.toBeInstanceOf(NoFreeUidError);

    // Only the holder's release frees a uid: b never held the one a got first.
    b.release(labels(uids[0]));
    await sleep(200);
    await expect(b.lease(LONG)).rejects.toBeInstanceOf(NoFreeUidError);
    a.release(labels(uids[0]));
    expect(await eventually('the released uid leased again', () => b.lease(LONG).catch(() => undefined))).toBe(uids[0]);
  });

  it('keeps engines apart: the same uid may run on two engines at once', async () => {
    expect(await processOn('engine-2', '31000-31000').lease(LONG)).toBe(31000);
    expect(await processOn('engine-3', '31000-31000').lease(LONG)).toBe(31000);
  });

  it('lets the lease of a process that died lapse once its container can no longer exist', async () => {
    const dead = processOn('engine-4', '32000-32000');
    expect(await dead.lease(50)).toBe(32000);
    const alive = processOn('engine-4', '32000-32000');
    await expect(alive.lease(LONG)).rejects.toBeInstanceOf(NoFreeUidError);
    // The container's lifetime (50 ms), plus the reaper's grace and one pass (0 and 100 ms here).
    expect(await eventually('the lapsed lease taken', () => alive.lease(LONG).catch(() => undefined), 10_000, 50)).toBe(
      32000,
    );
  });
});
