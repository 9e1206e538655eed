/** One Server-Sent Event: its type (`message` when the server named none), its data lines joined, and its id. */
export interface StreamEvent {
  event: string;
  data: string;
  /** The last id the stream gave, at or before this event (what Last-Event-ID resumes after). */
  id: string | undefined;
}

/**
 * Reads a text/event-stream as its text arrives, in chunks cut anywhere: the
 * HTML standard's rules (lines end in CRLF, LF or CR; `data` lines join with
 * LF; a line starting with a colon is a comment, such as a keep-alive; a blank
 * line ends an event). EventSource would do this, but it cannot send the
 * Authorization header.
 *
 * What is held while an event is incomplete is bounded: a stream that sends
 * more than `maxEventChars` without ending an event is refused.
 */
export class EventStreamParser {
  private static readonly LINE_BREAK = /[\r\n]/g;
  private buffer = '';
  /** How much of the buffer is known to hold no line break: a long event is scanned once, not at every chunk. */
  private scanned = 0;
  private data: string[] = [];
  private dataChars = 0;
  private type = '';
  private lastId: string | undefined;

  constructor(private readonly maxEventChars: number) {}

  /** The events the stream's text so far completes. */
  push(text: string): StreamEvent[] {
    this.buffer += text;
    const events: StreamEvent[] = [];
    let start = 0;
    for (let end = this.lineEnd(this.scanned); end >= 0; end = this.lineEnd(start)) {
      const line = this.buffer.slice(start, end);
      start = end + (this.buffer[end] === '\r' && this.buffer[end + 1] === '\n' ? 2 : 1);
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    this.scanned = this.buffer.endsWith('\r') ? this.buffer.length - 1 : this.buffer.length;
    if (this.buffer.length + this.dataChars > this.maxEventChars)
      throw new Error(`an event of the stream is longer than ${this.maxEventChars} characters`);
    return events;
  }

  /** The stream has ended: a CR left last was a line end after all. Whatever event is unfinished is dropped. */
  end(): StreamEvent[] {
    const line = this.buffer.endsWith('\r') ? this.buffer.slice(0, -1) : undefined;
    this.buffer = '';
    this.scanned = 0;
    const event = line === undefined ? undefined : this.line(line);
    return event ? [event] : [];
  }

  /**
   * Where the line that goes on at `from` ends, or -1 while it may go on. A CR last in
   * the buffer may be the first half of a CRLF split between chunks, so the
   * line waits for the next chunk.
   */
  private lineEnd(from: number): number {
    const pattern = EventStreamParser.LINE_BREAK;
    pattern.lastIndex = from;
    const found = pattern.exec(this.buffer);
    if (!found) return -1;
    return found[0] === '\r' && found.index === this.buffer.length - 1 ? -1 : found.index;
  }

  private line(line: string): StreamEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.dataChars += value.length + 1;
    } else if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    // `retry` and unknown fields are ignored: reconnecting is the transport's decision.
    return undefined;
  }

  private dispatch(): StreamEvent | undefined {
    const event = this.data.length
      ? { event: this.type || 'message', data: this.data.join('\n'), id: this.lastId }
      : undefined;
    this.data = [];
    this.dataChars = 0;
    this.type = '';
    return event;
  }
}
