import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { collectionDue, IdleCollector, v8Collector, type HeapMoment } from './idle-collector';

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
  it('runs the full collection V8 has due once the process is idle, and not again until more is due', () => {
    const made: string[] = [];
    const heap = { utilization: 0.5, usedBytes: 50 * MiB };
    const collector = new IdleCollector(
      ({ type }) => made.push(type),
      () => moment(heap),
    );
    heap.usedBytes = 60 * MiB; // grown past what makes a full collection due, while busy
    collector.look();
    expect(made).toEqual([]);
    heap.utilization = 0; // idle
    collector.look();
    expect(made).toContain('major');
    const count = made.filter((type) => type === 'major').length;
    collector.look();
    expect(made.filter((type) => type === 'major')).toHaveLength(count);
  });
});

describe('v8Collector', () => {
  it("is V8's own collector: a full collection frees garbage only a full collection can", () => {
    const collect = v8Collector();
    collect({ type: 'major' });
    const before = getHeapStatistics().used_heap_size;
    expect(makeGarbage()).toBe(64); // the heap grows past what makes a full collection due
    const grown = getHeapStatistics().used_heap_size;
    collect({ type: 'major' });
    expect(grown - before).toBeGreaterThan(8 * MiB);
    expect(getHeapStatistics().used_heap_size).toBeLessThan(before + MiB);
  });

  it('makes a young collection when asked for one: short-lived garbage goes', () => {
    const collect = v8Collector();
    const youngUsed = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_used_size;
    collect({ type: 'minor' });
    expect(Array.from({ length: 20_000 }, (_, i) => ({ i })).length).toBe(20_000);
    expect(youngUsed()).toBeGreaterThan(256 * 1024);
    collect({ type: 'minor' });
    expect(youngUsed()).toBeLessThan(64 * 1024);
  });
});
