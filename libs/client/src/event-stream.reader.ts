/** One Server-Sent Event: its type (`message` unless named), its data lines joined, and its id if any. */
export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

/** A stream line longer than this is refused: a broken or hostile server must not grow the buffer without end. */
export const MAX_EVENT_LINE_CHARS = 1024 * 1024;

/**
 * Parses a text/event-stream body as the HTML standard says: lines end with
 * CRLF, LF or CR; a blank line ends an event; comments (":") are skipped.
 * Shared by every stream the service has (build logs now, execution
 * output once it exists).
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  let buffer = '';
  let event: ServerSentEvent = { event: 'message', data: '' };
  let hasData = false;
  const take = (line: string): ServerSentEvent | undefined => {
    if (line === '') {
      const done = hasData ? event : undefined;
      event = { event: 'message', data: '' };
      hasData = false;
      return done;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event.event = value;
    else if (field === 'id' && !value.includes('\0')) event.id = value;
    else if (field === 'data') {
      event.data = hasData ? `${event.data}\n${value}` : value;
      hasData = true;
    }
    return undefined;
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      // A cancel on abort ends the read as if the stream had ended: tell the two apart.
      signal?.throwIfAborted();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
        // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
        if (buffer[end] === '\r' && end === buffer.length - 1) break;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        const ready = take(line);
        if (ready) yield ready;
      }
      if (buffer.length > MAX_EVENT_LINE_CHARS)
        throw new Error(`an event stream line is longer than ${MAX_EVENT_LINE_CHARS} characters`);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await reader.cancel().catch(() => undefined);
  }
}
