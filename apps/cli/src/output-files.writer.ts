import { mkdir, open } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface ReturnedFile {
  path: string;
  content: string;
}

export interface WrittenFiles {
  dir: string;
  written: string[];
  /** Files left out, each with why: a path that would leave the directory, or a clash. */
  refused: { path: string; reason: string }[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Control characters, backslashes and NUL have no business in a returned name, whatever the server says.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;

/** Why a returned path may not be written, or null when it is a plain relative path. */
export const unsafePathReason = (path: string): string | null => {
  if (path === '' || path.length > 4096) return 'an empty or overlong path';
  if (FORBIDDEN.test(path)) return 'control characters or backslashes';
  if (isAbsolute(path) || path.startsWith('/')) return 'an absolute path';
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'empty, "." or ".." segments';
  return null;
};

const checkId = (id: string, what: string): void => {
  if (!UUID.test(id))
    throw new Error(`refusing to write files for ${what} id that is not a UUID: ${JSON.stringify(id.slice(0, 80))}`);
};

/**
 * Writes the files an execution returned under `<root>/<id>/`, and never
 * anywhere else: the id and every path come from the server, so both are
 * checked before use, each target is resolved and must stay inside the
 * directory, and files are created with O_EXCL in a directory made fresh
 * here, so no link planted beforehand is followed.
 */
export const writeReturnedFiles = async (root: string, id: string, files: ReturnedFile[]): Promise<WrittenFiles> => {
  checkId(id, 'an execution');
  const dir = resolve(root, id);
  await mkdir(resolve(root), { recursive: true });
  await mkdir(dir); // fails if it exists: a directory of our own, with nothing planted in it
  const result: WrittenFiles = { dir, written: [], refused: [] };
  for (const file of files) {
    const reason = unsafePathReason(file.path);
    const target = resolve(dir, file.path);
    const inside = relative(dir, target);
    if (reason || inside.startsWith('..') || isAbsolute(inside)) {
      result.refused.push({ path: file.path, reason: reason ?? 'it resolves outside the output directory' });
      continue;
    }
    try {
      await mkdir(join(target, '..'), { recursive: true });
      const handle = await open(target, 'wx', 0o644);
      try {
        await handle.writeFile(Buffer.from(file.content, 'base64'));
      } finally {
        await handle.close();
      }
      result.written.push(inside.split(sep).join('/'));
    } catch (error) {
      result.refused.push({
        path: file.path,
        reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message,
      });
    }
  }
  return result;
};

/**
 * Saves the n-th PNG display of a session as `<root>/<session id>/display-<n>.png`
 * and returns its path. The name is made here, the id checked, and the file
 * created with O_EXCL: nothing already there, a planted link included, is
 * written through.
 */
export const writeDisplay = async (root: string, sessionId: string, n: number, base64: string): Promise<string> => {
  checkId(sessionId, 'a session');
  const dir = resolve(root, sessionId);
  await mkdir(dir, { recursive: true });
  const target = join(dir, `display-${n}.png`);
  const handle = await open(target, 'wx', 0o644);
  try {
    await handle.writeFile(Buffer.from(base64, 'base64'));
  } finally {
    await handle.close();
  }
  return target;
};
