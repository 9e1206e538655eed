/**
 * The framed protocol between the worker and the in-container runner
 * (docker/sandbox/runner.py). Input is length-prefixed JSON: one payload for
 * a job; for a session, a session payload and then one message per request.
 * Output is a stream of frames: 1 type byte, a u32 big-endian length, a body.
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
  maxDisplays: number;
}

/** The first message to a session's container: it writes `files` and starts its interpreter. */
export interface SessionPayload {
  session: true;
  files: { path: string; data: string }[];
}

/** A cell for a session's interpreter; it answers with O, E, D and V frames, then one C frame. */
export interface CellRequest {
  op: 'cell';
  id: string;
  code: string;
  /** base64 */
  stdin: string;
  timeoutMs: number;
  outputBytes: number;
  maxDisplays: number;
}

/** A file operation on a session's working directory; the runner answers each with one Q frame, even while a cell runs. */
export type FileRequest =
  | { op: 'put'; id: string; path: string; data: string }
  | { op: 'get'; id: string; path: string; maxBytes: number }
  | { op: 'list'; id: string; maxEntries: number }
  | { op: 'stat'; id: string };

export type SessionRequest = CellRequest | FileRequest;

/**
 * R ready, A accepted, O stdout, E stderr, D display, F file, X exit record;
 * in a session, also V a cell's value, C a cell's end record, Q the answer to a file request.
 */
export type FrameType = 'R' | 'A' | 'O' | 'E' | 'D' | 'F' | 'X' | 'V' | 'C' | 'Q';
const FRAME_TYPES = new Set<string>(['R', 'A', 'O', 'E', 'D', 'F', 'X', 'V', 'C', 'Q']);
const HEADER_BYTES = 5;

export interface Frame {
  type: FrameType;
  body: Buffer;
}

export class ProtocolError extends Error {}

/** A frame body that must be one JSON object; anything else is a protocol error naming `what`. */
export const parseJsonObject = (body: Buffer, what: string): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ProtocolError(`${what} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ProtocolError(`${what} is not an object`);
  return parsed as Record<string, unknown>;
};

export const encodePayload = (payload: RunnerPayload | SessionPayload | SessionRequest): Buffer => {
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
