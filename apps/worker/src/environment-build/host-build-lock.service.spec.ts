import { HostBuildLock } from './host-build-lock.service';

/** Just enough of Redis for a lease: SET NX PX, and the two compare-then-act scripts, told apart by name. */
class FakeRedis {
  readonly values = new Map<string, string>();
  readonly client = {
    set: async (key: string, value: string): Promise<'OK' | null> => {
      if (this.values.has(key)) return null;
      this.values.set(key, value);
      return 'OK';
    },
  };
  key(...parts: string[]): string {
    return ['sps', ...parts].join(':');
  }
  async run(script: { name: string }, [key]: string[], [token]: unknown[]): Promise<number> {
    if (this.values.get(key) !== token) return 0;
    if (script.name === 'hostBuildLockRelease') this.values.delete(key);
    return 1;
  }
}

const lockFor = (redis: FakeRedis, engineId: string, workerId: string) =>
  new HostBuildLock(redis as never, { engineId: async () => engineId } as never, { get: () => workerId } as never);

describe('HostBuildLock', () => {
  it('runs builds on one engine one at a time, whichever process starts them', async () => {
    const redis = new FakeRedis();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const first = lockFor(redis, 'engine-a', 'w1').run(
      () => events.push('first waited'),
      () =>
        new Promise<void>((resolve) => {
          events.push('first builds');
          releaseFirst = resolve;
        }),
    );
    await new Promise((r) => setImmediate(r));
    const onWait = jest.fn(() => events.push('second waits'));
    const second = lockFor(redis, 'engine-a', 'w2').run(onWait, async () => {
      events.push('second builds');
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual(['first builds', 'second waits']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['first builds', 'second waits', 'second builds']);
    expect(onWait).toHaveBeenCalledTimes(1);
    expect(redis.values.size).toBe(0);
  });

  it('does not hold up builds on another engine', async () => {
    const redis = new FakeRedis();
    let releaseFirst!: () => void;
    const first = lockFor(redis, 'engine-a', 'w1').run(
      jest.fn(),
      () => new Promise<void>((resolve) => (releaseFirst = resolve)),
    );
    await new Promise((r) => setImmediate(r));
    const onWait = jest.fn();
    await expect(lockFor(redis, 'engine-b', 'w2').run(onWait, async () => 'built')).resolves.toBe('built');
    expect(onWait).not.toHaveBeenCalled();
    releaseFirst();
    await first;
  });

  it('releases the lease when the build throws', async () => {
    const redis = new FakeRedis();
    await expect(
      lockFor(redis, 'engine-a', 'w1').run(jest.fn(), async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(redis.values.size).toBe(0);
  });
});
