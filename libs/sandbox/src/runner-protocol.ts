/**
 * The framed protocol between the worker and the in-container runner
 * (docker/sandbox/runner.py). Input is one length-prefixed JSON payload;
 * output is a stream of frames: 1 type byte, a u32 big-endian length, a body.
 */
export interface RunnerPayload {
  code: string;
  stdin: string;
  args: string[];
  files: { path: string; data: string }[];
  timeoutMs: number;
  outputBytes: number;
  maxFiles: number;
  maxFileBytes: number;
  maxTotalFileBytes: number;
}

export type FrameType = 'R' | 'A' | 'O' | 'E' | 'F' | 'X';
const FRAME_TYPES = new Set<string>(['R', 'A', 'O', 'E', 'F', 'X']);
const HEADER_BYTES = 5;

export interface Frame {
  type: FrameType;
  body: Buffer;
}

export class ProtocolError extends Error {}

export const encodePayload = (payload: RunnerPayload): Buffer => {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
};

export const encodeFrame = (type: FrameType, body: Buffer = Buffer.alloc(0)): Buffer => {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
};

/**
 * Splits a byte stream into frames. The bytes come from a container and are
 * treated as hostile: unknown types and oversized frames are protocol errors,
 * and no byte is copied more than once however the stream is chunked.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private header: { type: FrameType; length: number } | null = null;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (!this.header) {
        if (this.buffered < HEADER_BYTES) break;
        this.header = this.readHeader(this.take(HEADER_BYTES));
      }
      if (this.buffered < this.header.length) break;
      frames.push({ type: this.header.type, body: this.take(this.header.length) });
      this.header = null;
    }
    return frames;
  }

  /** True when the stream stopped in the middle of a frame. */
  get midFrame(): boolean {
    return this.header !== null || this.buffered > 0;
  }

  private readHeader(bytes: Buffer): { type: FrameType; length: number } {
    const type = bytes.toString('latin1', 0, 1);
    if (!FRAME_TYPES.has(type)) throw new ProtocolError(`unknown frame type 0x${bytes[0].toString(16)}`);
    const length = bytes.readUInt32BE(1);
    if (length > this.maxFrameBytes) throw new ProtocolError(`frame of ${length} bytes exceeds ${this.maxFrameBytes}`);
    return { type: type as FrameType, length };
  }

  private take(size: number): Buffer {
    if (size === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    if (first.length >= size) {
      this.chunks[0] = first.subarray(size);
      if (this.chunks[0].length === 0) this.chunks.shift();
      this.buffered -= size;
      return first.subarray(0, size);
    }
    const out = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const head = this.chunks[0];
      const n = Math.min(head.length, size - filled);
      head.copy(out, filled, 0, n);
      filled += n;
      if (n === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
    }
    this.buffered -= size;
    return out;
  }
}
