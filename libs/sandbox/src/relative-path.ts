const MAX_PATH_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;
const MAX_DEPTH = 32;
// C0 controls and DEL: legal on Linux, but only ever used in file names to confuse someone.
// eslint-disable-next-line no-control-regex -- control characters are the very thing to find
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Checks a path that must stay inside the sandbox working directory.
 * Returns why it is refused, or null when it is acceptable. Used for input
 * files at the API and again for every file name a container sends back.
 */
export const relativePathProblem = (path: unknown): string | null => {
  if (typeof path !== 'string' || path.length === 0) return 'must be a non-empty string';
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `must be at most ${MAX_PATH_BYTES} bytes`;
  if (CONTROL_CHARS.test(path)) return 'must not contain control characters or NUL';
  // A lone surrogate cannot be encoded as UTF-8: the file name would not round-trip.
  if (/\p{Cs}/u.test(path)) return 'must be valid Unicode';
  if (path.includes('\\')) return 'must use "/" as the separator';
  if (path.startsWith('/')) return 'must be relative';
  const segments = path.split('/');
  if (segments.length > MAX_DEPTH) return `must be at most ${MAX_DEPTH} levels deep`;
  for (const segment of segments) {
    if (segment === '') return 'must not contain empty segments';
    if (segment === '.' || segment === '..') return 'must not contain "." or ".." segments';
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) return `segments must be at most ${MAX_SEGMENT_BYTES} bytes`;
  }
  return null;
};
