/**
 * Types a file of a session is served as, by its extension. Only types a
 * browser never runs: no HTML, SVG, XML or script, which would run on the
 * API's own origin (the playground's, holding a key); anything else is
 * application/octet-stream.
 */
const SAFE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  txt: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  md: 'text/plain; charset=utf-8',
  py: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json',
  pdf: 'application/pdf',
};

export const servedFileType = (path: string): string => {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return (dot > 0 && SAFE_TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
};

/**
 * The headers of a served file: its type, never sniffed, a download rather
 * than a page, and a policy that runs nothing even if a browser renders it.
 */
export const servedFileHeaders = (path: string): Record<string, string> => {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return {
    'content-type': servedFileType(path),
    'x-content-type-options': 'nosniff',
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'no-store',
  };
};
