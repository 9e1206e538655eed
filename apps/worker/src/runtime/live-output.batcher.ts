import type { LiveEvent } from '@sps/queue';
import { DisplayCollector, type DisplayCaps, type Frame, ProtocolError } from '@sps/sandbox';
import { StringDecoder } from 'node:string_decoder';

/** The longest a chunk waits in a batch before it is sent on. */
export const LIVE_OUTPUT_HOLD_MS = 50;
/** A batch this large is sent at once rather than held. */
const SEND_AT_CHARS = 64 * 1024;

type Pending = { event: 'stdout' | 'stderr'; text: string } | { event: 'status' | 'display'; data: string };

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
 * choices). Text is decoded as one stream: a character split between two
 * chunks is held until it is whole, and bytes that are not UTF-8 become
 * U+FFFD exactly as in the result.
 */
export class LiveOutputBatcher {
  private readonly decoders = { O: new StringDecoder('utf8'), E: new StringDecoder('utf8') };
  private readonly taken = { O: 0, E: 0 };
  private readonly displays: DisplayCollector;
  private pending: Pending[] = [];
  private pendingChars = 0;
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
    for (const stream of ['O', 'E'] as const) this.addText(stream, this.decoders[stream].end());
    this.flush();
    return Promise.all(this.sending).then(() => undefined);
  }

  private output(stream: 'O' | 'E', chunk: Buffer): void {
    const room = this.caps.outputBytes - this.taken[stream];
    if (room <= 0) return;
    const kept = chunk.subarray(0, room);
    this.taken[stream] += kept.length;
    this.addText(stream, this.decoders[stream].write(kept));
    if (this.pendingChars >= SEND_AT_CHARS) this.flush();
    else if (this.pending.length) this.timer ??= setTimeout(() => this.flush(), this.holdMs);
  }

  private addText(stream: 'O' | 'E', text: string): void {
    if (!text) return;
    const event = stream === 'O' ? 'stdout' : 'stderr';
    const last = this.pending.at(-1);
    if (last?.event === event && 'text' in last) last.text += text;
    else this.pending.push({ event, text });
    this.pendingChars += text.length;
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
    const batch = this.pending.map((item): LiveEvent =>
      'text' in item ? { event: item.event, data: JSON.stringify({ text: item.text }) } : item,
    );
    this.pending = [];
    this.pendingChars = 0;
    // Sent at once: batches keep their order on the one connection they share with the result.
    const sent = this.send(batch).catch(this.onError);
    this.sending.add(sent);
    void sent.then(() => this.sending.delete(sent));
  }
}
