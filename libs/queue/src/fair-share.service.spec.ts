import { nextFairRound, PRIORITY_LIMIT } from './fair-share.service';

/**
 * A model of the queue: jobs get their round from nextFairRound as FairShare
 * admits them, and a worker takes the lowest round first, oldest first among
 * equals, the way BullMQ orders prioritized jobs.
 */
class QueueModel {
  private clock = 0;
  private readonly last = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private readonly waiting: { owner: string; name: string; round: number; seq: number }[] = [];
  private seq = 0;

  submit(owner: string, name: string): number {
    const round = nextFairRound({
      last: this.last.get(owner) ?? 0,
      clock: this.clock,
      inFlight: this.inFlight.get(owner) ?? 0,
    });
    this.last.set(owner, round);
    this.inFlight.set(owner, (this.inFlight.get(owner) ?? 0) + 1);
    this.waiting.push({ owner, name, round, seq: this.seq++ });
    return round;
  }

  /** A worker takes the next job; it runs to the end before the next is taken. */
  take(): string | undefined {
    this.waiting.sort((a, b) => a.round - b.round || a.seq - b.seq);
    const job = this.waiting.shift();
    if (!job) return undefined;
    this.clock = Math.max(this.clock, job.round);
    this.inFlight.set(job.owner, this.inFlight.get(job.owner)! - 1);
    return job.name;
  }

  resetClock(): void {
    this.clock = 0;
  }
}

describe('fair share', () => {
  it('starts a single job of a second key right after the first job of a key with 200 queued', () => {
    const queue = new QueueModel();
    for (let i = 0; i < 200; i++) queue.submit('A', `A${i}`);
    queue.submit('B', 'B0');
    expect([queue.take(), queue.take(), queue.take()]).toEqual(['A0', 'B0', 'A1']);
  });

  it('gives a newcomer the next round even after the flood has been running for a while', () => {
    const queue = new QueueModel();
    for (let i = 0; i < 200; i++) queue.submit('A', `A${i}`);
    for (let i = 0; i < 50; i++) queue.take();
    queue.submit('B', 'B0');
    expect([queue.take(), queue.take()]).toContain('B0');
  });

  it('alternates between two keys that both flood', () => {
    const queue = new QueueModel();
    for (let i = 0; i < 100; i++) queue.submit('A', `A${i}`);
    for (let i = 0; i < 100; i++) queue.submit('B', `B${i}`);
    const order = Array.from({ length: 10 }, () => queue.take());
    expect(order).toEqual(['A0', 'B0', 'A1', 'B1', 'A2', 'B2', 'A3', 'B3', 'A4', 'B4']);
  });

  it("keeps each key's own jobs in the order they were submitted", () => {
    const queue = new QueueModel();
    for (let i = 0; i < 30; i++) {
      queue.submit('A', `A${i}`);
      if (i % 3 === 0) queue.submit('B', `B${i}`);
      if (i % 4 === 0) queue.take();
    }
    const taken: string[] = [];
    for (let name = queue.take(); name; name = queue.take()) taken.push(name);
    const ofA = taken.filter((n) => n.startsWith('A')).map((n) => Number(n.slice(1)));
    expect(ofA).toEqual([...ofA].sort((x, y) => x - y));
  });

  it('does not let a key that waited long fall behind a newcomer for more than its own backlog', () => {
    const queue = new QueueModel();
    for (let i = 0; i < 1000; i++) queue.submit('A', `A${i}`);
    for (let i = 0; i < 990; i++) queue.take();
    // A has 10 left; C arrives with 100: A's remaining 10 are not pushed behind C's 100.
    for (let i = 0; i < 100; i++) queue.submit('C', `C${i}`);
    const next = Array.from({ length: 20 }, () => queue.take());
    expect(next.filter((n) => n!.startsWith('A'))).toHaveLength(10);
  });

  it('keeps a key no more rounds ahead of the clock than it has jobs in flight, so a reset cannot strand it', () => {
    expect(nextFairRound({ last: 500_000, clock: 0, inFlight: 3 })).toBe(4);
    const queue = new QueueModel();
    for (let i = 0; i < 5; i++) queue.submit('A', `A${i}`);
    queue.resetClock();
    queue.submit('B', 'B0');
    expect(queue.take()).toBe('A0');
    expect([queue.take(), queue.take()]).toContain('B0');
  });

  it('starts a key with nothing in flight at the clock, whatever its old round', () => {
    expect(nextFairRound({ last: 900, clock: 40, inFlight: 0 })).toBe(41);
    expect(nextFairRound({ last: 10, clock: 40, inFlight: 0 })).toBe(41);
  });

  it("never goes past BullMQ's largest priority", () => {
    expect(nextFairRound({ last: PRIORITY_LIMIT, clock: PRIORITY_LIMIT, inFlight: 5 })).toBe(PRIORITY_LIMIT);
  });
});
