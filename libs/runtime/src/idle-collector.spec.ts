import { collectionDue, IdleCollector, type HeapMoment } from './idle-collector';

const MiB = 1 << 20;
/** 16 MiB of arrays too large for the young generation, dropped at once: only a full collection frees them. */
const makeGarbage = (): number => Array.from({ length: 64 }, () => new Array<number>(32 * 1024).fill(1)).length;
const moment = (change: Partial<HeapMoment>): HeapMoment => ({
  utilization: 0,
  usedBytes: 50 * MiB,
  youngUsedBytes: 1 * MiB,
  youngSizeBytes: 16 * MiB,
  ...change,
});

describe('collectionDue', () => {
  it('collects nothing while the event loop is busy, however much is due', () => {
    expect(collectionDue(moment({ utilization: 0.5, usedBytes: 90 * MiB, youngUsedBytes: 16 * MiB }), 50 * MiB)).toBe(
      null,
    );
  });

  it('makes a full collection once the heap has grown 4 MiB since the last one', () => {
    expect(collectionDue(moment({ usedBytes: 54 * MiB - 1 }), 50 * MiB)).toBe(null);
    expect(collectionDue(moment({ usedBytes: 54 * MiB }), 50 * MiB)).toBe('major');
  });

  it('makes a young collection once the young generation is half full', () => {
    expect(collectionDue(moment({ youngUsedBytes: 8 * MiB - 1 }), 50 * MiB)).toBe(null);
    expect(collectionDue(moment({ youngUsedBytes: 8 * MiB }), 50 * MiB)).toBe('minor');
  });
});

describe('IdleCollector', () => {
  it('runs the full collection V8 has due once the process is idle, and not again until more is due', async () => {
    const made: string[] = [];
    const collector = new IdleCollector(({ type }) => made.push(type));
    expect(makeGarbage()).toBe(64); // the heap grows past what makes a full collection due
    collector.look(); // the allocation kept the event loop busy: this look may pass
    await new Promise((resolve) => setTimeout(resolve, 50)); // idle
    collector.look();
    expect(made).toContain('major');
    const count = made.filter((type) => type === 'major').length;
    collector.look();
    expect(made.filter((type) => type === 'major')).toHaveLength(count);
  });

  it("started, it uses V8's own collector on its own schedule once the process is idle", async () => {
    const collector = IdleCollector.start();
    try {
      expect(makeGarbage()).toBe(64);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(collector.made.major).toBeGreaterThan(0);
    } finally {
      collector.stop();
    }
  });
});
