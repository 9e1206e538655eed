/**
 * Redaction for every log line of both apps, in this one place. Secrets are
 * replaced whole; user code keeps a short prefix so a line can still be matched
 * to a request, but a program is never written to the logs in full.
 */
export const CODE_PREFIX_CHARS = 32;
export const REDACTED = '[redacted]';

const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'api_key',
  '*.api_key',
];

// Wherever a job's input could end up in a log object: its code, stdin and input files.
const USER_INPUT_PATHS = [
  'code',
  '*.code',
  '*.*.code',
  'stdin',
  '*.stdin',
  '*.*.stdin',
  'files',
  '*.files',
  '*.*.files',
];

const lastSegment = (path: string[]): string => path[path.length - 1] ?? '';

export const censor = (value: unknown, path: string[]): unknown => {
  if (lastSegment(path) === 'code' && typeof value === 'string') {
    return value.length <= CODE_PREFIX_CHARS
      ? value
      : `${value.slice(0, CODE_PREFIX_CHARS)}… [${value.length} chars, redacted]`;
  }
  return REDACTED;
};

export const logRedaction = {
  paths: [...SECRET_PATHS, ...USER_INPUT_PATHS],
  censor,
};
