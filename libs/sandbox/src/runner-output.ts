import { Frame, ProtocolError } from './runner-protocol';
import { relativePathProblem } from './relative-path';

export interface OutputCaps {
  outputBytes: number;
  maxFiles: number;
  maxFileBytes: number;
  maxTotalFileBytes: number;
}

/** The runner's own account of how the program ended; every field re-checked on arrival. */
export interface RunnerExitRecord {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  outputLimit: boolean;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  oomKilled: boolean;
  filesTruncated: boolean;
  wallMs: number;
  cpuMs: number;
  peakMemoryBytes: number;
  error?: string;
}

export interface CollectedFile {
  path: string;
  content: Buffer;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_EXIT_RECORD_BYTES = 4096;

/**
 * Accumulates what a container sends back, under the caps, whatever it sends.
 * Output beyond the cap is dropped and reported; a file with a bad name, a
 * duplicate, or one over the caps is dropped and reported as truncation.
 */
export class RunnerOutput {
  ready = false;
  /** The runner confirmed it received the payload. */
  accepted = false;
  exit: RunnerExitRecord | null = null;
  /** Set when stdout or stderr passed the cap: the caller must kill the container. */
  outputLimitHit = false;
  filesTruncated = false;
  readonly files: CollectedFile[] = [];
  private readonly streams = { O: new CappedBuffer(), E: new CappedBuffer() };
  private fileBytes = 0;
  private readonly fileNames = new Set<string>();

  constructor(private readonly caps: OutputCaps) {}

  accept(frame: Frame): void {
    if (this.exit) throw new ProtocolError('data after the exit record');
    switch (frame.type) {
      case 'R':
        if (this.ready || frame.body.length) throw new ProtocolError('unexpected ready frame');
        this.ready = true;
        return;
      case 'A':
        if (this.accepted || frame.body.length) throw new ProtocolError('unexpected accept frame');
        this.accepted = true;
        return;
      case 'O':
      case 'E':
        if (!this.streams[frame.type].append(frame.body, this.caps.outputBytes)) this.outputLimitHit = true;
        return;
      case 'F':
        return this.acceptFile(frame.body);
      case 'X':
        this.exit = parseExitRecord(frame.body);
        return;
    }
  }

  get stdout(): CappedBuffer {
    return this.streams.O;
  }

  get stderr(): CappedBuffer {
    return this.streams.E;
  }

  private acceptFile(body: Buffer): void {
    if (body.length < 2) throw new ProtocolError('short file frame');
    const nameLength = body.readUInt16BE(0);
    if (body.length < 2 + nameLength) throw new ProtocolError('file name runs past its frame');
    const content = body.subarray(2 + nameLength);
    let path: string;
    try {
      path = utf8.decode(body.subarray(2, 2 + nameLength));
    } catch {
      this.filesTruncated = true; // a name that is not UTF-8 cannot be returned faithfully in JSON
      return;
    }
    const fits =
      this.files.length < this.caps.maxFiles &&
      content.length <= this.caps.maxFileBytes &&
      this.fileBytes + content.length <= this.caps.maxTotalFileBytes;
    if (relativePathProblem(path) !== null || this.fileNames.has(path) || !fits) {
      this.filesTruncated = true;
      return;
    }
    this.fileNames.add(path);
    this.fileBytes += content.length;
    this.files.push({ path, content: Buffer.from(content) });
  }
}

/** A byte buffer that keeps at most `cap` bytes and remembers whether more arrived. */
export class CappedBuffer {
  private readonly parts: Buffer[] = [];
  private size = 0;
  truncated = false;

  /** Returns false once anything had to be dropped. */
  append(chunk: Buffer, cap: number): boolean {
    const room = cap - this.size;
    if (chunk.length > room) {
      this.truncated = true;
      if (room > 0) this.keep(chunk.subarray(0, room));
      return false;
    }
    this.keep(chunk);
    return true;
  }

  /** Invalid UTF-8 becomes U+FFFD, so the result is always valid JSON. */
  text(): string {
    return this.bytes().toString('utf8');
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }

  get length(): number {
    return this.size;
  }

  private keep(chunk: Buffer): void {
    this.parts.push(Buffer.from(chunk));
    this.size += chunk.length;
  }
}

const count = (value: unknown): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ProtocolError('bad number');
  return value;
};

const flag = (value: unknown): boolean => {
  if (typeof value !== 'boolean') throw new ProtocolError('bad flag');
  return value;
};

export const parseExitRecord = (body: Buffer): RunnerExitRecord => {
  if (body.length > MAX_EXIT_RECORD_BYTES) throw new ProtocolError('exit record too large');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ProtocolError('exit record is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ProtocolError('exit record is not an object');
  if (typeof raw.error === 'string') {
    return { ...emptyExitRecord(), error: raw.error.slice(0, 200) };
  }
  const exitCode = raw.exitCode === null ? null : count(raw.exitCode);
  if (exitCode !== null && exitCode > 255) throw new ProtocolError('bad exit code');
  const signal = raw.signal === null ? null : raw.signal;
  if (signal !== null && (typeof signal !== 'string' || !/^SIG[A-Z0-9]{1,12}$/.test(signal)))
    throw new ProtocolError('bad signal name');
  return {
    exitCode,
    signal,
    timedOut: flag(raw.timedOut),
    outputLimit: flag(raw.outputLimit),
    stdoutTruncated: flag(raw.stdoutTruncated),
    stderrTruncated: flag(raw.stderrTruncated),
    oomKilled: flag(raw.oomKilled),
    filesTruncated: flag(raw.filesTruncated),
    wallMs: count(raw.wallMs),
    cpuMs: count(raw.cpuMs),
    peakMemoryBytes: count(raw.peakMemoryBytes),
  };
};

const emptyExitRecord = (): RunnerExitRecord => ({
  exitCode: null,
  signal: null,
  timedOut: false,
  outputLimit: false,
  stdoutTruncated: false,
  stderrTruncated: false,
  oomKilled: false,
  filesTruncated: false,
  wallMs: 0,
  cpuMs: 0,
  peakMemoryBytes: 0,
});
