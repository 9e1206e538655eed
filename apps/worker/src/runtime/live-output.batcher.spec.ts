import type { LiveEvent } from '@sps/queue';
import type { Frame } from '@sps/sandbox';
import { randomInt } from 'node:crypto';
import { LIVE_OUTPUT_HOLD_MS, LiveOutputBatcher, utf8CutPoint } from './live-output.batcher';

const frame = (type: Frame['type'], body: string | Buffer): Frame => ({ type, body: Buffer.from(body) });
const display = (mime: string, data: string) => frame('D', JSON.stringify({ mime, data }));

const setup = (outputBytes = 1024, maxDisplays = 10) => {
  const batches: LiveEvent[][] = [];
  const errors: Error[] = [];
  const batcher = new LiveOutputBatcher(
    { outputBytes, maxDisplays },
    async (events) => void batches.push(events),
    (error) => errors.push(error),
  );
  const events = () =>
    batches
      .flat()
      .map((e) =>
        'range' in e ? { event: e.event, text: e.data.toString('utf8') } : { event: e.event, ...JSON.parse(e.data) },
      );
  /** The stream's text as a reader decodes it, piece by piece; each piece's range must be where it lies in the whole. */
  const text = (event: 'stdout' | 'stderr') => {
    let whole = '';
    for (const e of batches.flat()) {
      if (e.event !== event || !('range' in e)) continue;
      const piece = e.data.toString('utf8');
      expect(e.range).toEqual([whole.length, whole.length + piece.length]);
      whole += piece;
    }
    return whole;
  };
  return { batcher, batches, errors, events, text };
};

describe('LiveOutputBatcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('holds output no longer than the hold time, joining what came meanwhile, stream by stream in order', () => {
    const { batcher, batches, events } = setup();
    batcher.frame(frame('O', 'a'));
    batcher.frame(frame('O', 'b'));
    batcher.frame(frame('E', 'oops'));
    batcher.frame(frame('O', 'c'));
    jest.advanceTimersByTime(LIVE_OUTPUT_HOLD_MS - 1);
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
    expect(events()).toEqual([
      { event: 'stdout', text: 'ab' },
      { event: 'stderr', text: 'oops' },
      { event: 'stdout', text: 'c' },
    ]);
    // The next chunk starts a new batch with its own clock.
    batcher.frame(frame('O', 'd'));
    jest.advanceTimersByTime(LIVE_OUTPUT_HOLD_MS);
    expect(batches).toHaveLength(2);
    expect(events().at(-1)).toEqual({ event: 'stdout', text: 'd' });
  });

  it('sends a status at once, after the output that came before it', () => {
    const { batcher, batches, events } = setup();
    batcher.frame(frame('O', 'before'));
    batcher.status({ status: 'running', workerId: 'w1' });
    expect(batches).toHaveLength(1);
    expect(events()).toEqual([
      { event: 'stdout', text: 'before' },
      { event: 'status', status: 'running', workerId: 'w1' },
    ]);
  });

  it('sends a large batch without waiting for the clock', () => {
    const { batcher, batches, text } = setup(1 << 20);
    batcher.frame(frame('O', 'x'.repeat(70 * 1024)));
    expect(batches).toHaveLength(1);
    expect(text('stdout')).toHaveLength(70 * 1024);
  });

  it('keeps each stream to outputBytes, cutting the chunk that crosses it, as the result does', async () => {
    const { batcher, text } = setup(10);
    batcher.frame(frame('O', '123456'));
    batcher.frame(frame('O', '7890abc'));
    batcher.frame(frame('O', 'more'));
    batcher.frame(frame('E', 'e'.repeat(12)));
    await batcher.finish();
    expect(text('stdout')).toBe('1234567890');
    expect(text('stderr')).toBe('e'.repeat(10));
  });

  it('cuts output only where characters start: the pieces decode to the text of the whole, U+FFFD included, at their ranges', async () => {
    for (let round = 0; round < 200; round++) {
      const { batcher, text } = setup(1 << 16);
      const pool = [0x41, 0x0a, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xbf, 0xff, 0xed, 0xa0];
      const bytes = Buffer.from(Array.from({ length: 1 + randomInt(60) }, () => pool[randomInt(pool.length)]));
      for (let at = 0; at < bytes.length;) {
        const size = 1 + randomInt(4);
        batcher.frame(frame('O', bytes.subarray(at, at + size)));
        if (randomInt(3) === 0) jest.advanceTimersByTime(LIVE_OUTPUT_HOLD_MS);
        at += size;
      }
      await batcher.finish();
      expect(text('stdout')).toBe(bytes.toString('utf8'));
    }
  });

  it('holds a split character back rather than sending half of it', () => {
    const { batcher, batches, text } = setup();
    const euro = Buffer.from('€');
    batcher.frame(frame('O', Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)])));
    jest.advanceTimersByTime(LIVE_OUTPUT_HOLD_MS);
    expect(text('stdout')).toBe('a');
    batcher.frame(frame('O', euro.subarray(1)));
    jest.advanceTimersByTime(LIVE_OUTPUT_HOLD_MS);
    expect(text('stdout')).toBe('a€');
    expect(batches).toHaveLength(2);
  });

  it('sends the displays the result would keep, and only those', async () => {
    const { batcher, events } = setup(100, 2);
    batcher.frame(display('text/plain', 'one'));
    batcher.frame(display('image/png', 'not base64!')); // malformed: the result drops it too
    batcher.frame(frame('D', 'not json')); // a protocol error for the result; skipped here
    batcher.frame(frame('V', JSON.stringify({ 'text/plain': 'v'.repeat(90) }))); // takes the room displays share
    batcher.frame(display('text/plain', 'x'.repeat(20))); // no room left
    batcher.frame(display('text/plain', 'two'));
    batcher.frame(display('text/plain', 'three')); // past maxDisplays
    await batcher.finish();
    expect(events()).toEqual([
      { event: 'display', mime: 'text/plain', data: 'one' },
      { event: 'display', mime: 'text/plain', data: 'two' },
    ]);
  });

  it('sends everything still held when it finishes, and answers once every batch was taken', async () => {
    const taken: LiveEvent[][] = [];
    let release = () => undefined as void;
    const batcher = new LiveOutputBatcher(
      { outputBytes: 100, maxDisplays: 1 },
      (events) => {
        taken.push(events); // handed over at once, before the send resolves
        return new Promise<void>((resolve) => (release = resolve));
      },
      () => undefined,
    );
    batcher.frame(frame('O', 'tail'));
    let finished = false;
    const done = batcher.finish().then(() => (finished = true));
    expect(taken).toEqual([[{ event: 'stdout', data: Buffer.from('tail'), range: [0, 4] }]]);
    await Promise.resolve();
    expect(finished).toBe(false);
    release();
    await done;
    expect(finished).toBe(true);
  });

  it('reports a batch that could not be sent and goes on with the next', async () => {
    let fail = true;
    const sent: LiveEvent[][] = [];
    const errors: Error[] = [];
    const batcher = new LiveOutputBatcher(
      { outputBytes: 100, maxDisplays: 1 },
      async (events) => {
        if (fail) throw new Error('Redis is away');
        sent.push(events);
      },
      (error) => errors.push(error),
    );
    batcher.status({ status: 'running' });
    fail = false;
    batcher.frame(frame('O', 'later'));
    await batcher.finish();
    expect(errors.map((e) => e.message)).toEqual(['Redis is away']);
    expect(sent).toEqual([[{ event: 'stdout', data: Buffer.from('later'), range: [0, 5] }]]);
  });

  it('finds where a byte string may be cut', () => {
    const euro = Buffer.from('€'); // e2 82 ac
    expect(utf8CutPoint(Buffer.from('ab'))).toBe(2);
    expect(utf8CutPoint(Buffer.concat([Buffer.from('a'), euro.subarray(0, 2)]))).toBe(1);
    expect(utf8CutPoint(Buffer.concat([Buffer.from('a'), euro]))).toBe(4);
    expect(utf8CutPoint(Buffer.from([0x41, 0x80, 0x80, 0x80, 0x80]))).toBe(5); // stray continuation bytes
    expect(utf8CutPoint(Buffer.from([0xf0, 0x9f, 0x98]))).toBe(0);
  });
});
