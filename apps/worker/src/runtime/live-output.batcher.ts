import type { LiveEvent } from '@sps/queue';
import { DisplayCollector, type DisplayCaps, type Frame, ProtocolError } from '@sps/sandbox';

/** The longest a chunk waits in a batch before it is sent on. */
export const LIVE_OUTPUT_HOLD_MS = 50;
/** A batch this large is sent at once rather than held. */
const SEND_AT_BYTES = 64 * 1024;

type Pending = { event: 'stdout' | 'stderr'; parts: Buffer[] } | { event: 'status' | 'display'; data: string };

/**
 * Where `bytes` may be cut: before the last character when its sequence is
 * not complete yet, else at the end. A cut before a byte that starts a
 * character (or is ASCII) never changes how either side decodes, so pieces
 * decoded one by one give exactly the text of the whole, U+FFFD included.
 */
export const utf8CutPoint = (bytes: Buffer): number => {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needs > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
};

/**
 * One execution's live output on its way to its event stream, in the order
 * it came: stdout and stderr chunks joined while they wait, held no longer
 * than LIVE_OUTPUT_HOLD_MS. `send` must hand its batch to Redis before it
 * returns (a command on the process's one connection), so batches land in
 * the order they were sent, and before whatever is sent after them.
 *
 * It keeps what the result keeps and no more: each of stdout and stderr up to
 * `outputBytes` bytes, and the displays a DisplayCollector with the same caps
 * accepts (fed the same frames as the result's own, it makes the same
 * choices). Output goes as the program's bytes, cut only where a character
 * starts (a character split between two chunks is held until it is whole),
 * each piece with the range its text takes in the result's stdout or stderr;
 * bytes that are not UTF-8 become U+FFFD when read, exactly as in the result.
 */
export class LiveOutputBatcher {
  private readonly held = { O: Buffer.alloc(0), E: Buffer.alloc(0) };
  private readonly taken = { O: 0, E: 0 };
  /** UTF-16 units of text sent so far, per stream: where the next piece starts in the result. */
  private readonly chars = { stdout: 0, stderr: 0 };
  private readonly displays: DisplayCollector;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly caps: DisplayCaps,
    private readonly send: (events: LiveEvent[]) => Promise<void>,
    private readonly onError: (error: Error) => void,
    private readonly holdMs = LIVE_OUTPUT_HOLD_MS,
  ) {
    this.displays = new DisplayCollector(caps);
  }

  /** A status change goes out at once, with whatever output waited before it. */
  status(data: Record<string, unknown>): void {
    this.pending.push({ event: 'status', data: JSON.stringify(data) });
    this.flush();
  }

  frame(frame: Frame): void {
    switch (frame.type) {
      case 'O':
      case 'E':
        return this.output(frame.type, frame.body);
      case 'D': {
        const before = this.displays.displays.length;
        if (!this.collect(() => this.displays.acceptDisplay(frame.body))) return;
        for (const display of this.displays.displays.slice(before))
          this.pending.push({ event: 'display', data: JSON.stringify(display) });
        return this.flush();
      }
      case 'V':
        // Not an event of its own, but it takes from the room displays share: counted as the result counts it.
        this.collect(() => this.displays.acceptValue(frame.body));
        return;
    }
  }

  /**
   * Sends what is left, the tail of a split character included, before it
   * returns; the answer resolves once every batch has been taken.
   */
  finish(): Promise<void> {
    for (const stream of ['O', 'E'] as const) this.addBytes(stream, this.held[stream]);
    this.flush();
    return Promise.all(this.sending).then(() => undefined);
  }

  private output(stream: 'O' | 'E', chunk: Buffer): void {
    const room = this.caps.outputBytes - this.taken[stream];
    if (room <= 0) return;
    const kept = chunk.subarray(0, room);
    this.taken[stream] += kept.length;
    const bytes = this.held[stream].length ? Buffer.concat([this.held[stream], kept]) : kept;
    const cut = utf8CutPoint(bytes);
    this.held[stream] = Buffer.from(bytes.subarray(cut));
    this.addBytes(stream, bytes.subarray(0, cut));
    if (this.pendingBytes >= SEND_AT_BYTES) this.flush();
    else if (this.pending.length) this.timer ??= setTimeout(() => this.flush(), this.holdMs);
  }

  private addBytes(stream: 'O' | 'E', bytes: Buffer): void {
    if (!bytes.length) return;
    const event = stream === 'O' ? 'stdout' : 'stderr';
    const last = this.pending.at(-1);
    const piece = Buffer.from(bytes); // the frame's buffer is not ours to keep
    if (last?.event === event && 'parts' in last) last.parts.push(piece);
    else this.pending.push({ event, parts: [piece] });
    this.pendingBytes += piece.length;
  }

  /** A frame the result's own collector would refuse as malformed is left to it to report; here it is only skipped. */
  private collect(accept: () => void): boolean {
    try {
      accept();
      return true;
    } catch (error) {
      if (error instanceof ProtocolError) return false;
      throw error;
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    const batch = this.pending.map((item): LiveEvent => {
      if (!('parts' in item)) return item;
      const data = Buffer.concat(item.parts);
      const from = this.chars[item.event];
      this.chars[item.event] += data.toString('utf8').length;
      return { event: item.event, data, range: [from, this.chars[item.event]] };
    });
    this.pending = [];
    this.pendingBytes = 0;
    // Sent at once: batches keep their order on the one connection they share with the result.
    const sent = this.send(batch).catch(this.onError);
    this.sending.add(sent);
    void sent.then(() => this.sending.delete(sent));
  }
}
