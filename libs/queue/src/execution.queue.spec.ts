import type { ExecutionJobData } from './execution.types';
import { ExecutionQueue, InFlightLimitError, StorageBudgetError } from './execution.queue';
import type { ExecutionStore } from './execution-store.service';
import { QueueFullError } from './queue-errors';
import type { FairShare } from './fair-share.service';

/** FairShare without Redis: a set of admitted ids per owner and a fixed priority. */
class FakeFairShare {
  readonly inFlightOf = new Map<string, Map<string, number>>();
  admits = 0;

  async admit(owner: string, id: string, max: number): Promise<number | null> {
    this.admits++;
    const set = this.inFlightOf.get(owner) ?? new Map<string, number>();
    this.inFlightOf.set(owner, set);
    if (set.size >= max) return null;
    set.set(id, Date.now());
    return 7;
  }
  async release(owner: string, id: string): Promise<void> {
    this.inFlightOf.get(owner)?.delete(id);
  }
  async inFlight(owner: string) {
    return [...(this.inFlightOf.get(owner) ?? new Map()).entries()].map(([id, admittedAt]) => ({ id, admittedAt }));
  }
}

const data = (owner: string): ExecutionJobData =>
  ({
    ownerKeyId: owner,
    code: 'x',
    stdin: '',
    args: [],
    files: [],
    limits: {},
    network: false,
    environment: 'default',
    createdAt: '',
  }) as unknown as ExecutionJobData;

const setup = (states: Record<string, string> = {}, failAdd = false) => {
  const added: { id: string; priority: number }[] = [];
  const queue = {
    add: async (_name: string, _data: unknown, options: { jobId: string; priority: number }) => {
      if (failAdd) throw new Error('redis down');
      added.push({ id: options.jobId, priority: options.priority });
    },
    getJobState: async (id: string) => states[id] ?? 'unknown',
    getJobCounts: async () => ({ waiting: waiting.count, prioritized: 0, delayed: 0 }),
  };
  const waiting = { count: 0 };
  const config = {
    get: () => ({
      attempts: 3,
      backoffMs: 100,
      resultTtlSeconds: 60,
      maxQueuedJobs: 50,
      queueFullRetryAfterSeconds: 2,
    }),
  };
  const fair = new FakeFairShare();
  const held = { bytes: 0 };
  const store = { heldBytes: async () => held.bytes };
  const producer = new ExecutionQueue(
    queue as any,
    fair as unknown as FairShare,
    store as unknown as ExecutionStore,
    config as any,
  );
  return { producer, fair, added, waiting, held };
};

const quotas = (maxInFlight: number) => ({ maxInFlight, maxStoredBytes: 1000 });

describe('ExecutionQueue.enqueue', () => {
  it('queues the job with its fair-share priority under a new random id', async () => {
    const { producer, added, fair } = setup();
    const id = await producer.enqueue(data('k1'), quotas(5));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(added).toEqual([{ id, priority: 7 }]);
    expect([...fair.inFlightOf.get('k1')!.keys()]).toEqual([id]);
  });

  it('refuses a key at its maximum in flight', async () => {
    const { producer } = setup({}, false);
    await producer.enqueue(data('k1'), quotas(1));
    await expect(producer.enqueue(data('k1'), quotas(1))).rejects.toThrow(InFlightLimitError);
    // Another key has its own count.
    await expect(producer.enqueue(data('k2'), quotas(1))).resolves.toEqual(expect.any(String));
  });

  it('forgets jobs that have ended, or have long vanished, before refusing a key', async () => {
    const { producer, fair } = setup({ done: 'completed', broken: 'failed', busy: 'active', waiting: 'prioritized' });
    const counted = new Map([
      ['done', Date.now()],
      ['broken', Date.now()],
      ['busy', Date.now()],
      ['waiting', Date.now()],
      ['vanished-long-ago', Date.now() - 3_600_000],
      ['just-admitted', Date.now()],
    ]);
    fair.inFlightOf.set('k1', counted);
    const id = await producer.enqueue(data('k1'), quotas(6));
    expect([...fair.inFlightOf.get('k1')!.keys()].sort()).toEqual(['busy', 'just-admitted', 'waiting', id].sort());
  });

  it('still refuses when every counted job is really in flight', async () => {
    const { producer, fair } = setup({ a: 'active', b: 'waiting' });
    fair.inFlightOf.set(
      'k1',
      new Map([
        ['a', Date.now()],
        ['b', Date.now()],
      ]),
    );
    await expect(producer.enqueue(data('k1'), quotas(2))).rejects.toThrow(
      'this API key already has 2 executions queued or running (its maximum); wait for one to finish',
    );
  });

  it('refuses any key when the whole queue is full, before counting the job against the key', async () => {
    const { producer, fair, waiting } = setup();
    waiting.count = 50;
    await expect(producer.enqueue(data('k1'), quotas(5))).rejects.toThrow(QueueFullError);
    expect(fair.admits).toBe(0);
  });

  it('refuses a key whose results hold more than its storage budget, before counting the job', async () => {
    const { producer, fair, held } = setup();
    held.bytes = 1000;
    await expect(producer.enqueue(data('k1'), quotas(5))).resolves.toEqual(expect.any(String));
    held.bytes = 1001;
    await expect(producer.enqueue(data('k1'), quotas(5))).rejects.toThrow(StorageBudgetError);
    expect(fair.admits).toBe(1);
  });

  it('gives the place back when the job could not be queued', async () => {
    const { producer, fair } = setup({}, true);
    await expect(producer.enqueue(data('k1'), quotas(1))).rejects.toThrow('redis down');
    expect(fair.inFlightOf.get('k1')!.size).toBe(0);
  });
});
