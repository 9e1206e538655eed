import type { ExecutionJobData } from './execution.types';
import { ExecutionQueue, InFlightLimitError, StorageBudgetError } from './execution.queue';
import { idOfEntry, type ExecutionHistory } from './execution-history.store';
import type { ExecutionStore } from './execution-store.service';
import { QueueFullError } from './queue-errors';
import type { FairShare } from './fair-share.service';

/** FairShare without Redis: a set of admitted ids per owner and a fixed priority. */
class FakeFairShare {
  readonly inFlightOf = new Map<string, Map<string, number>>();
  admits = 0;

  async admit(owner: string, ids: string[], max: number): Promise<number[] | null> {
    this.admits++;
    const set = this.inFlightOf.get(owner) ?? new Map<string, number>();
    this.inFlightOf.set(owner, set);
    if (set.size + ids.length > max) return null;
    for (const id of ids) set.set(id, Date.now());
    return ids.map(() => 7);
  }
  async release(owner: string, ...ids: string[]): Promise<void> {
    for (const id of ids) this.inFlightOf.get(owner)?.delete(id);
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
    addBulk: async (jobs: { opts: { jobId: string; priority: number } }[]) => {
      if (failAdd) throw new Error('redis down');
      for (const { opts } of jobs) added.push({ id: opts.jobId, priority: opts.priority });
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
  const listed: string[] = [];
  const history = {
    add: async (_owner: string, jobs: { id: string }[]) => void listed.push(...jobs.map((j) => j.id)),
    forget: async (_owner: string, entries: string[]) => {
      for (const entry of entries) listed.splice(listed.indexOf(idOfEntry(entry)), 1);
    },
  };
  const producer = new ExecutionQueue(
    queue as any,
    fair as unknown as FairShare,
    store as unknown as ExecutionStore,
    history as unknown as ExecutionHistory,
    config as any,
  );
  return { producer, fair, added, waiting, held, listed };
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

  it('refuses any key when the whole queue is full, and leaves it neither counted nor listed', async () => {
    const { producer, fair, waiting, listed } = setup();
    waiting.count = 50;
    await expect(producer.enqueue(data('k1'), quotas(5))).rejects.toThrow(QueueFullError);
    expect(fair.inFlightOf.get('k1')!.size).toBe(0);
    expect(listed).toEqual([]);
  });

  it('refuses a key whose results hold more than its storage budget, and leaves it neither counted nor listed', async () => {
    const { producer, fair, held, listed } = setup();
    held.bytes = 1000;
    const id = await producer.enqueue(data('k1'), quotas(5));
    held.bytes = 1001;
    await expect(producer.enqueue(data('k1'), quotas(5))).rejects.toThrow(StorageBudgetError);
    expect([...fair.inFlightOf.get('k1')!.keys()]).toEqual([id]);
    expect(listed).toEqual([id]);
  });

  it('gives the place back, and the history entry, when the job could not be queued', async () => {
    const { producer, fair, listed } = setup({}, true);
    await expect(producer.enqueue(data('k1'), quotas(1))).rejects.toThrow('redis down');
    expect(fair.inFlightOf.get('k1')!.size).toBe(0);
    expect(listed).toEqual([]);
  });

  it('queues a batch whole, in order, and lists every job in its owner history', async () => {
    const { producer, added, listed } = setup();
    const jobs = ['a', 'b', 'c'].map((id) => ({ id, data: data('k1') }));
    await producer.enqueueMany(jobs, quotas(3));
    expect(added.map((job) => job.id)).toEqual(['a', 'b', 'c']);
    expect(listed).toEqual(['a', 'b', 'c']);
  });

  it('refuses a whole batch that would take the key past its maximum in flight, and queues none of it', async () => {
    const { producer, added, fair } = setup();
    await producer.enqueue(data('k1'), quotas(3));
    const jobs = ['a', 'b', 'c'].map((id) => ({ id, data: data('k1') }));
    await expect(producer.enqueueMany(jobs, quotas(3))).rejects.toThrow(
      'a batch of 3 would take this API key past its maximum of 3 executions queued or running; nothing was queued',
    );
    expect(added).toHaveLength(1);
    expect(fair.inFlightOf.get('k1')!.size).toBe(1);
  });

  it('refuses a batch that would overfill the queue', async () => {
    const { producer, waiting } = setup();
    waiting.count = 48;
    const jobs = ['a', 'b', 'c'].map((id) => ({ id, data: data('k1') }));
    await expect(producer.enqueueMany(jobs, quotas(5))).rejects.toThrow(QueueFullError);
    await expect(producer.enqueueMany(jobs.slice(0, 2), quotas(5))).resolves.toBeUndefined();
  });
});
