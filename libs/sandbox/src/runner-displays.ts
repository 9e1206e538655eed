import { parseJsonObject, ProtocolError } from './runner-protocol';

/** Something a program showed rather than printed: `data` is base64 for images (but SVG), text for anything else. */
export interface DisplayOutput {
  mime: string;
  data: string;
}

/** The value of a cell's trailing expression: its repr, and its HTML when the object has one. */
export interface ValueOutput {
  'text/plain': string;
  'text/html'?: string;
}

export interface DisplayCaps {
  /** Characters of display data (and a cell's value) kept, in all: the same cap as each of stdout and stderr. */
  outputBytes: number;
  maxDisplays: number;
}

const MIME = /^[a-z]+\/[a-z0-9][a-z0-9.+-]{0,99}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Images travel as base64, but SVG, which is text; so does everything else. */
export const isBase64Mime = (mime: string): boolean => mime.startsWith('image/') && mime !== 'image/svg+xml';

/**
 * The displays and the value a program sent, re-checked and held under the
 * caps whatever the runner let through. A frame of the wrong shape is a
 * protocol error; a display the user's code made odd (an unknown kind of MIME
 * type, image data that is not base64) or one past the caps is dropped and
 * reported as `truncated`, as the runner does.
 */
export class DisplayCollector {
  readonly displays: DisplayOutput[] = [];
  value: ValueOutput | null = null;
  truncated = false;
  private room: number;

  constructor(private readonly caps: DisplayCaps) {
    this.room = caps.outputBytes;
  }

  acceptDisplay(body: Buffer): void {
    const { mime, data } = parseJsonObject(body, 'display');
    if (typeof mime !== 'string' || typeof data !== 'string') throw new ProtocolError('bad display');
    const wellFormed = MIME.test(mime) && (!isBase64Mime(mime) || BASE64.test(data));
    if (!wellFormed || this.displays.length >= this.caps.maxDisplays || !this.fits(data.length)) {
      this.truncated = true;
      return;
    }
    this.displays.push({ mime, data });
  }

  acceptValue(body: Buffer): void {
    if (this.value) throw new ProtocolError('a second value');
    const bundle = parseJsonObject(body, 'value');
    const text = bundle['text/plain'];
    const html = bundle['text/html'];
    if (typeof text !== 'string' || (html !== undefined && typeof html !== 'string'))
      throw new ProtocolError('bad value');
    if (!this.fits(text.length + (html?.length ?? 0))) {
      this.truncated = true;
      return;
    }
    this.value = html === undefined ? { 'text/plain': text } : { 'text/plain': text, 'text/html': html };
  }

  private fits(size: number): boolean {
    if (size > this.room) return false;
    this.room -= size;
    return true;
  }
}
