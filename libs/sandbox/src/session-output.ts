import { relativePathProblem } from './relative-path';
import type { DisplayCaps } from './runner-displays';
import { CellRecord, parseCellRecord, ProgramOutput } from './runner-output';
import { Frame, parseJsonObject, ProtocolError } from './runner-protocol';

/**
 * What one cell of a session sends back, under the cell's caps: output,
 * displays, its value, and last its end record. Anything after the record,
 * or a frame a cell does not send, is a protocol error.
 */
export class CellOutput extends ProgramOutput {
  record: CellRecord | null = null;

  constructor(caps: DisplayCaps) {
    super(caps);
  }

  accept(frame: Frame): void {
    if (this.record) throw new ProtocolError('data after the cell record');
    if (this.acceptProgramFrame(frame)) return;
    if (frame.type === 'V') return this.displays.acceptValue(frame.body);
    if (frame.type === 'C') {
      this.record = parseCellRecord(frame.body);
      return;
    }
    throw new ProtocolError(`a ${frame.type} frame in a cell`);
  }
}

/** Why the runner refused a file operation. */
export const FILE_REFUSALS = ['link', 'missing', 'not-regular', 'too-large', 'no-space', 'invalid', 'io'] as const;
export type FileRefusal = (typeof FILE_REFUSALS)[number];

export interface ListedFile {
  path: string;
  size: number;
}

/** The runner's answer to a file request (a Q frame), checked. */
export type FileReply =
  | { id: string; ok: false; error: FileRefusal }
  | {
      id: string;
      ok: true;
      /** Bytes written by a put, or read by a get. */
      size?: number;
      /** A get: the file's bytes. */
      content: Buffer;
      /** A list: the regular files under the working directory, and whether some were left out. */
      files?: ListedFile[];
      truncated?: boolean;
      /** A stat: the container's memory use now. */
      memoryBytes?: number;
    };

const MAX_REPLY_HEADER_BYTES = 4 << 20;
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Reads a Q frame: a u32 header length, a JSON header, then the content of a
 * get. A listing has at most `maxEntries` names, and those that are not safe
 * relative paths are left out and reported; anything the runner could not
 * have sent is a protocol error.
 */
export const parseFileReply = (body: Buffer, maxEntries: number): FileReply => {
  if (body.length < 4) throw new ProtocolError('short file reply');
  const headerLength = body.readUInt32BE(0);
  if (headerLength > MAX_REPLY_HEADER_BYTES || body.length < 4 + headerLength)
    throw new ProtocolError('file reply header runs past its frame');
  const header = parseJsonObject(body.subarray(4, 4 + headerLength), 'file reply');
  const content = body.subarray(4 + headerLength);
  const { id, ok } = header;
  if (typeof id !== 'string' || id.length > 128 || typeof ok !== 'boolean') throw new ProtocolError('bad file reply');
  if (!ok) {
    const error = FILE_REFUSALS.find((refusal) => refusal === header.error);
    if (!error || content.length) throw new ProtocolError('bad file refusal');
    return { id, ok, error };
  }
  const reply: FileReply = { id, ok, content: Buffer.from(content) };
  if (header.size !== undefined) {
    if (!isCount(header.size)) throw new ProtocolError('bad file size');
    reply.size = header.size;
  }
  if (header.memoryBytes !== undefined) {
    if (!isCount(header.memoryBytes)) throw new ProtocolError('bad memory figure');
    reply.memoryBytes = header.memoryBytes;
  }
  if (header.files !== undefined) {
    if (!Array.isArray(header.files) || header.files.length > maxEntries || typeof header.truncated !== 'boolean')
      throw new ProtocolError('bad file listing');
    // A name the code gave a file that breaks the path rules (a newline in it, say) is left out, as from a job's files.
    const files: ListedFile[] = [];
    for (const entry of header.files as unknown[]) {
      const { path, size } = (entry ?? {}) as Record<string, unknown>;
      if (typeof path !== 'string' || !isCount(size)) throw new ProtocolError('bad listed file');
      if (relativePathProblem(path) === null) files.push({ path, size });
    }
    reply.files = files;
    reply.truncated = header.truncated || files.length < header.files.length;
  }
  return reply;
};
