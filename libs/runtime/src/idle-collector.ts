import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type Collection = 'major' | 'minor';

/** What the collector looks at each time: how busy the event loop was since the last look, and the heap. */
export interface HeapMoment {
  /** Share of the time since the last look the event loop spent running (0 to 1). */
  utilization: number;
  usedBytes: number;
  youngUsedBytes: number;
  youngSizeBytes: number;
}

/** Busier than this since the last look, and the process is not idle. */
const IDLE_UTILIZATION = 0.05;
/** The heap grown this much since the last full collection makes the next one due. */
const MAJOR_DUE_BYTES = 4 << 20;
/** The young generation this full makes a minor collection due. */
const MINOR_DUE_SHARE = 0.5;
const CHECK_EVERY_MS = 25;

/** The collection due at this moment, if the process is idle; none while it is busy. */
export const collectionDue = (moment: HeapMoment, usedAfterLastMajor: number): Collection | null => {
  if (moment.utilization > IDLE_UTILIZATION) return null;
  if (moment.usedBytes - usedAfterLastMajor >= MAJOR_DUE_BYTES) return 'major';
  if (moment.youngUsedBytes >= moment.youngSizeBytes * MINOR_DUE_SHARE) return 'minor';
  return null;
};

type Collect = (options: { type: Collection }) => void;

/**
 * V8's own collector, which Node keeps hidden unless asked. Called with no
 * argument it makes a full collection; `{ type: 'major' }` makes only a young
 * one in this V8, so only the minor kind is asked for by name.
 */
export const v8Collector = (): Collect => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options?: { type: 'minor' }) => void;
  return ({ type }) => (type === 'major' ? gc() : gc({ type: 'minor' }));
};

/** This process, looked at: each call tells how busy its event loop was since the call before, and its heap now. */
export const processMoments = (): (() => HeapMoment) => {
  let lastLook: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, lastLook);
    lastLook = now;
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    return {
      utilization,
      usedBytes: getHeapStatistics().used_heap_size,
      youngUsedBytes: young?.space_used_size ?? 0,
      youngSizeBytes: young?.space_size ?? Infinity,
    };
  };
};

/**
 * Collects garbage while the process is idle. V8 collects when an allocation
 * finds the heap full, which is in the middle of a request: a full collection
 * takes 10-40 ms on two busy cores, a young one 1-5 ms, and the request waits
 * for it. Done in the gaps between requests instead, the same work leaves
 * the requests alone. A process that is never idle keeps V8's own schedule.
 */
export class IdleCollector {
  private usedAfterLastMajor: number;

  constructor(
    private readonly collect: Collect,
    private readonly moments: () => HeapMoment = processMoments(),
  ) {
    this.usedAfterLastMajor = moments().usedBytes;
  }

  /** Looks every CHECK_EVERY_MS, with V8's own collector. */
  static start(): IdleCollector {
    const collector = new IdleCollector(v8Collector());
    setInterval(() => collector.look(), CHECK_EVERY_MS).unref();
    return collector;
  }

  look(): void {
    const due = collectionDue(this.moments(), this.usedAfterLastMajor);
    if (!due) return;
    this.collect({ type: due });
    // Looked at again: the heap as the collection left it, and its time on the event loop not counted as busy.
    const after = this.moments();
    if (due === 'major') this.usedAfterLastMajor = after.usedBytes;
  }
}
