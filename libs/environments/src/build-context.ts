import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { WHEELHOUSE_DIR } from './dockerfile.renderer';

export interface ContextFile {
  name: string;
  data: Buffer;
}

// A fixed time keeps the same inputs byte-identical as a tar (Docker's COPY cache ignores it anyway).
const MTIME = new Date(0);
const WHEELHOUSE_FILE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}\.(?:whl|tar\.gz|zip)$/;

/**
 * The build context as an in-memory tar: the Dockerfile and, for specs with
 * pip packages, the wheelhouse directory. Nothing else from the worker's
 * disk is ever part of a build.
 */
export const buildContextTar = async (dockerfile: string, wheelhouse: ContextFile[] | null): Promise<Buffer> => {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    tar.once('end', resolve);
    tar.once('error', reject);
  });
  const header = { mode: 0o644, mtime: MTIME, uid: 0, gid: 0 };
  tar.entry({ ...header, name: 'Dockerfile' }, Buffer.from(dockerfile, 'utf8'));
  if (wheelhouse) {
    tar.entry({ ...header, name: `${WHEELHOUSE_DIR}/`, type: 'directory', mode: 0o755 });
    for (const file of [...wheelhouse].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      tar.entry({ ...header, name: `${WHEELHOUSE_DIR}/${file.name}` }, file.data);
    }
  }
  tar.finalize();
  await ended;
  return Buffer.concat(chunks);
};

export class WheelhouseError extends Error {}

/**
 * The wheels and sdists in a server-configured directory: regular files at
 * its top level with package-like names, nothing followed through links,
 * and no more than `maxBytes` in all.
 */
export const readWheelhouse = async (dir: string, maxBytes: number): Promise<ContextFile[]> => {
  const files: ContextFile[] = [];
  let total = 0;
  for (const name of (await readdir(dir)).sort()) {
    if (!WHEELHOUSE_FILE.test(name)) continue;
    const path = join(dir, name);
    const stat = await lstat(path);
    if (!stat.isFile()) continue;
    total += stat.size;
    if (total > maxBytes)
      throw new WheelhouseError(
        `the wheelhouse ${dir} holds more than ${maxBytes} bytes (ENV_PIP_WHEELHOUSE_MAX_BYTES)`,
      );
    files.push({ name, data: await readFile(path) });
  }
  return files;
};
