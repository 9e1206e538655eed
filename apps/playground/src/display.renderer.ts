import type { Display, OutputFile } from './api.types';
import { base64ToBytes } from './base64';
import { baseMime, displayKind, imageBytes, imageMimeOfFile } from './display-kinds';
import { el, formatBytes } from './dom';

const decoded = (file: OutputFile): Uint8Array | undefined => {
  try {
    return base64ToBytes(file.content);
  } catch {
    return undefined;
  }
};

/**
 * Draws displays and returned files. Every object URL it makes is revoked on
 * clear(), so a long session of runs does not keep old plots in memory.
 */
export class DisplayRenderer {
  private readonly urls: string[] = [];

  clear(): void {
    for (const url of this.urls.splice(0)) URL.revokeObjectURL(url);
  }

  /** An image as an <img>, HTML in a sandboxed frame, anything else as text. */
  display(display: Display, caption = display.mime): HTMLElement {
    const kind = displayKind(display.mime);
    if (kind === 'image') {
      let bytes: Uint8Array;
      try {
        bytes = imageBytes(display);
      } catch {
        return this.figure(
          el('pre', { className: 'display-text', text: 'an image whose data is not valid base64' }),
          caption,
        );
      }
      return this.figure(this.image(bytes, baseMime(display.mime), caption), caption);
    }
    if (kind === 'html') return this.figure(this.htmlFrame(display.data), caption);
    return this.figure(el('pre', { className: 'display-text', text: display.data }), caption);
  }

  /** A returned PNG, JPEG or SVG file as an image; undefined for any other file. */
  imageFile(file: OutputFile): HTMLElement | undefined {
    const mime = imageMimeOfFile(file.path);
    const bytes = mime && decoded(file);
    return bytes ? this.figure(this.image(bytes, mime, file.path), file.path) : undefined;
  }

  /** A link that saves a returned file, whatever it is. */
  download(file: OutputFile): HTMLElement {
    const bytes = decoded(file);
    if (!bytes)
      return el('li', { className: 'file', text: `${file.path}: the server sent content that is not base64` });
    // octet-stream: opening the link saves the bytes, it never renders them as a page.
    const link = el('a', { text: file.path, attrs: { href: this.url(bytes, 'application/octet-stream') } });
    link.download = file.path.slice(file.path.lastIndexOf('/') + 1);
    return el('li', { className: 'file' }, [link, el('span', { className: 'size', text: formatBytes(bytes.length) })]);
  }

  private image(bytes: Uint8Array, mime: string, alt: string): HTMLImageElement {
    // The blob's type is one of the three image types: <img> decodes it as an image and nothing else.
    const image = el('img', { attrs: { alt, src: this.url(bytes, mime) } });
    image.decoding = 'async';
    return image;
  }

  /**
   * A sandbox with no permissions at all: no scripts, no forms, no popups, an
   * opaque origin (so no access to this page or its key). From a blob: URL,
   * the frame inherits this page's CSP as well.
   */
  private htmlFrame(html: string): HTMLIFrameElement {
    const frame = el('iframe', {
      className: 'display-html',
      attrs: { sandbox: '', referrerpolicy: 'no-referrer', title: 'HTML output' },
    });
    frame.src = this.url(new TextEncoder().encode(html), 'text/html');
    return frame;
  }

  private figure(content: HTMLElement, caption: string): HTMLElement {
    return el('figure', { className: 'display' }, [content, el('figcaption', { text: caption })]);
  }

  private url(bytes: Uint8Array, type: string): string {
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
    this.urls.push(url);
    return url;
  }
}
