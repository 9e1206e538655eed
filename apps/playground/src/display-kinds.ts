import type { Display } from './api.types';
import { base64ToBytes } from './base64';

/** The only images shown inline: formats <img> decodes without running anything (SVG in <img> runs no script). */
export const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/svg+xml'] as const;
export type ImageMime = (typeof IMAGE_MIMES)[number];

export type DisplayKind = 'image' | 'html' | 'text';

/** "image/svg+xml; charset=utf-8" -> "image/svg+xml". */
export const baseMime = (mime: string): string => mime.split(';')[0].trim().toLowerCase();

/** How a display is shown: images as images, HTML only in a sandboxed frame, anything else as text. */
export const displayKind = (mime: string): DisplayKind => {
  const type = baseMime(mime);
  if ((IMAGE_MIMES as readonly string[]).includes(type)) return 'image';
  if (type === 'text/html') return 'html';
  return 'text';
};

/** An image display's bytes: PNG and JPEG data are base64, SVG data is the markup itself (as in Jupyter's display data). */
export const imageBytes = (display: Display): Uint8Array =>
  baseMime(display.mime) === 'image/svg+xml' ? new TextEncoder().encode(display.data) : base64ToBytes(display.data);

const IMAGE_EXTENSIONS: Record<string, ImageMime> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  svg: 'image/svg+xml',
};

/** The image type of a returned file, from its name; undefined for any file that is only offered as a download. */
export const imageMimeOfFile = (path: string): ImageMime | undefined => {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? IMAGE_EXTENSIONS[name.slice(dot + 1).toLowerCase()] : undefined;
};
