import { Unreachable } from './client.errors';
import { MAX_RECONNECTS, readResumableEventStream } from './event-stream.resumer';
import type { ServerSentEvent } from './event-stream.reader';

const encoder = new TextEncoder();

/** A body that sends `text`, then ends, or breaks as a dropped connection does when `breaks`. */
const bodyOf = (text: string, breaks = false): ReadableStream<Uint8Array> => {
  let sent = false;
  return new ReadableStream({
    // Erroring in start would drop what was queued: the text is read first, then the break comes.
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(encoder.encode(text));
      } else if (breaks) controller.error(new TypeError('terminated'));
      else controller.close();
    },
  });
};

const event = (id: number, data: string) => `id: ${id}\nevent: line\ndata: ${data}\n\n`;

/** A server holding `total` events, that sends at most `perConnection` of them on each connection from after Last-Event-ID. */
const serverOf = (total: number, perConnection: number, breaks: boolean) => {
  const asked: (string | undefined)[] = [];
  const open = (lastEventId: string | undefined) => {
    asked.push(lastEventId);
    const from = lastEventId === undefined ? 1 : Number(lastEventId) + 1;
    const ids = Array.from({ length: Math.min(perConnection, total - from + 1) }, (_, i) => from + i);
    // A half-sent event at the break is dropped by the reader, and sent again whole after the resume.
    return Promise.resolve(
      bodyOf(ids.map((id) => event(id, `line ${id}`)).join('') + (breaks ? 'id: 99\nda' : ''), breaks),
    );
  };
  return { open, asked };
};

const readUntil = async (events: AsyncGenerator<ServerSentEvent>, lastId: string): Promise<ServerSentEvent[]> => {
  const seen: ServerSentEvent[] = [];
  for await (const e of events) {
    seen.push(e);
    if (e.id === lastId) break;
  }
  return seen;
};

describe('readResumableEventStream', () => {
  it.each([
    ['ends early', false],
    ['breaks', true],
  ])('resumes a stream that %s from the last id seen, losing and repeating nothing', async (_, breaks) => {
    const server = serverOf(7, 3, breaks);
    const seen = await readUntil(readResumableEventStream(server.open, { what: 'the test stream' }), '7');
    expect(seen.map((e) => e.data)).toEqual(Array.from({ length: 7 }, (_, i) => `line ${i + 1}`));
    expect(server.asked).toEqual([undefined, '3', '6']);
  });

  it('ends when there is nothing after lastEventId (a 204, opened as null)', async () => {
    const seen = await readUntil(
      readResumableEventStream(() => Promise.resolve(null), { what: 'x', lastEventId: '9' }),
      'never',
    );
    expect(seen).toEqual([]);
  });

  it('starts after lastEventId when given', async () => {
    const server = serverOf(5, 10, false);
    const seen = await readUntil(readResumableEventStream(server.open, { what: 'x', lastEventId: '2' }), '5');
    expect(seen.map((e) => e.id)).toEqual(['3', '4', '5']);
  });

  it(`gives up after ${MAX_RECONNECTS} reconnections in a row that bring nothing new`, async () => {
    const server = serverOf(2, 10, false);
    await expect(
      readUntil(readResumableEventStream(server.open, { what: 'the test stream' }), 'never'),
    ).rejects.toThrow('the test stream kept ending early');
    expect(server.asked).toHaveLength(MAX_RECONNECTS + 2);
  }, 20_000);

  it('throws the first answer’s error, and waits out a service that is unreachable for a while later', async () => {
    const refused = new Unreachable('http://x', new Error('ECONNREFUSED'));
    await expect(
      readUntil(
        readResumableEventStream(() => Promise.reject(refused), { what: 'x' }),
        '1',
      ),
    ).rejects.toBe(refused);

    const server = serverOf(4, 2, true);
    let calls = 0;
    const flaky = (lastEventId: string | undefined) =>
      ++calls === 2 ? Promise.reject(refused) : server.open(lastEventId);
    const seen = await readUntil(readResumableEventStream(flaky, { what: 'x' }), '4');
    expect(seen.map((e) => e.id)).toEqual(['1', '2', '3', '4']);
  });

  it('stops at once when aborted', async () => {
    const controller = new AbortController();
    const open = () =>
      Promise.resolve(
        new ReadableStream<Uint8Array>({
          start: (c) => c.enqueue(encoder.encode(event(1, 'one'))),
        }),
      );
    const events = readResumableEventStream(open, { what: 'x', signal: controller.signal });
    expect((await events.next()).value).toMatchObject({ id: '1' });
    const next = events.next();
    controller.abort();
    await expect(next).rejects.toThrow();
  });
});
