import { DisplayCaps, DisplayCollector } from './runner-displays';
import { Frame, parseJsonObject, ProtocolError } from './runner-protocol';
import { relativePathProblem } from './relative-path';

export interface OutputCaps extends DisplayCaps {
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
  displaysTruncated: boolean;
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
 * What a program printed and showed, under the caps, whatever the runner
 * sends: a job's whole run, or one cell of a session. Output beyond the cap
 * is dropped and reported.
 */
export abstract class ProgramOutput {
  /** Set when stdout or stderr passed the cap: the runner did not stop the program, so the caller must. */
  outputLimitHit = false;
  readonly displays: DisplayCollector;
  private readonly streams = { O: new CappedBuffer(), E: new CappedBuffer() };

  constructor(protected readonly caps: DisplayCaps) {
    this.displays = new DisplayCollector(caps);
  }

  /** Takes O, E and D frames; true when the frame was one of those. */
  protected acceptProgramFrame(frame: Frame): boolean {
    switch (frame.type) {
      case 'O':
      case 'E':
        if (!this.streams[frame.type].append(frame.body, this.caps.outputBytes)) this.outputLimitHit = true;
        return true;
      case 'D':
        this.displays.acceptDisplay(frame.body);
        return true;
      default:
        return false;
    }
  }

  get stdout(): CappedBuffer {
    return this.streams.O;
  }

  get stderr(): CappedBuffer {
    return this.streams.E;
  }
}

/**
 * Accumulates what a job's container sends back, under the caps. A file with
 * a bad name, a duplicate, or one over the caps is dropped and reported as truncation.
 */
export class RunnerOutput extends ProgramOutput {
  ready = false;
  /** The runner confirmed it received the payload. */
  accepted = false;
  exit: RunnerExitRecord | null = null;
  filesTruncated = false;
  readonly files: CollectedFile[] = [];
  private fileBytes = 0;
  private readonly fileNames = new Set<string>();

  constructor(protected readonly caps: OutputCaps) {
    super(caps);
  }

  accept(frame: Frame): void {
    if (this.exit) throw new ProtocolError('data after the exit record');
    if (this.acceptProgramFrame(frame)) return;
    switch (frame.type) {
      case 'R':
        if (this.ready || frame.body.length) throw new ProtocolError('unexpected ready frame');
        this.ready = true;
        return;
      case 'A':
        if (this.accepted || frame.body.length) throw new ProtocolError('unexpected accept frame');
        this.accepted = true;
        return;
      case 'F':
        return this.acceptFile(frame.body);
      case 'X':
        this.exit = parseExitRecord(frame.body);
        return;
      default:
        throw new ProtocolError(`a ${frame.type} frame in a job`);
    }
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
  const raw = parseJsonObject(body, 'exit record');
  if (typeof raw.error === 'string') {
    return { ...emptyExitRecord(), error: raw.error.slice(0, 200) };
  }
  return exitFields(raw);
};

/** How one cell of a session ended: an exit record for the cell, and whether the interpreter died with it. */
export interface CellRecord extends RunnerExitRecord {
  /** The id the cell was sent with. */
  id: string;
  /** The interpreter is gone (killed at the time limit, by the OOM killer, or it exited): so is the session. */
  kernelDied: boolean;
  /** The container's memory use when the cell ended. */
  memoryBytes: number;
}

export const parseCellRecord = (body: Buffer): CellRecord => {
  if (body.length > MAX_EXIT_RECORD_BYTES) throw new ProtocolError('cell record too large');
  const raw = parseJsonObject(body, 'cell record');
  if (typeof raw.id !== 'string' || raw.id.length > 128) throw new ProtocolError('bad cell id');
  return { ...exitFields(raw), id: raw.id, kernelDied: flag(raw.kernelDied), memoryBytes: count(raw.memoryBytes) };
};

/** The fields every exit record has, each checked. */
const exitFields = (raw: Record<string, unknown>): RunnerExitRecord => {
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
    displaysTruncated: flag(raw.displaysTruncated),
    wallMs: count(raw.wallMs),
    cpuMs: count(raw.cpuMs),
    peakMemoryBytes: count(raw.peakMemoryBytes),
  };
};

/** A record of nothing: no exit status, no flag set, no usage; what an error record claims, and what others are built on. */
export const emptyExitRecord = (): RunnerExitRecord => ({
  exitCode: null,
  signal: null,
  timedOut: false,
  outputLimit: false,
  stdoutTruncated: false,
  stderrTruncated: false,
  oomKilled: false,
  filesTruncated: false,
  displaysTruncated: false,
  wallMs: 0,
  cpuMs: 0,
  peakMemoryBytes: 0,
});
