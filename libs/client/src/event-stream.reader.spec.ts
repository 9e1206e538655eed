import { MAX_EVENT_LINE_CHARS, readEventStream, type ServerSentEvent } from './event-stream.reader';

/** A body that delivers exactly these chunks, as a network would split them. */
const bodyOf = (...chunks: string[]): ReadableStream<Uint8Array> => {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
};

const readAll = async (body: ReadableStream<Uint8Array>): Promise<ServerSentEvent[]> => {
  const events: ServerSentEvent[] = [];
  for await (const event of readEventStream(body)) events.push(event);
  return events;
};

describe('readEventStream', () => {
  it('reads named events with ids, skips comments, and joins data lines', async () => {
    const events = await readAll(
      bodyOf(': keep-alive\n\n', 'event: build\ndata: {"a":1}\n\n', 'id: 1-0\nevent: log\ndata: one\ndata: two\n\n'),
    );
    expect(events).toEqual([
      { event: 'build', data: '{"a":1}' },
      { event: 'log', data: 'one\ntwo', id: '1-0' },
    ]);
  });

  it('treats CRLF, CR and LF alike, even when a CRLF is split across chunks', async () => {
    const events = await readAll(bodyOf('data: a\r', '\n\r\n', 'data: b\r\rdata: c\n\n'));
    expect(events.map((e) => e.data)).toEqual(['a', 'b', 'c']);
  });

  it('decodes UTF-8 split in the middle of a character', async () => {
    const bytes = new TextEncoder().encode('data: héllo ✓\n\n');
    const split = 8; // inside the two bytes of "é"
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, split));
        controller.enqueue(bytes.slice(split));
        controller.close();
      },
    });
    expect((await readAll(body))[0].data).toBe('héllo ✓');
  });

  it('refuses a line that grows past the cap instead of buffering it', async () => {
    const long = 'x'.repeat(64 * 1024);
    const chunks = Array.from({ length: Math.ceil(MAX_EVENT_LINE_CHARS / long.length) + 2 }, () => long);
    await expect(readAll(bodyOf('data: ', ...chunks))).rejects.toThrow(/longer than/);
  });

  it('stops when the signal fires, with the abort reason rather than as if the stream had ended', async () => {
    const abort = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: first\n\n'));
        // and then nothing more, ever
      },
    });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of readEventStream(body, abort.signal)) {
        seen.push(event.data);
        abort.abort();
      }
    })();
    await expect(reading).rejects.toThrow(/aborted/);
    expect(seen).toEqual(['first']);
  });
});
