import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

/**
 * Writes tiny pure-Python wheels, and source distributions, for the end-to-end
 * tests: with no PyPI here, the pip path installs them from the worker's
 * wheelhouse (ENV_PIP_WHEELHOUSE) with ENV_PIP_NO_INDEX. Made at test time
 * from text, so no opaque binary sits in the repository.
 */

interface ZipEntry {
  name: string;
  data: Buffer;
}

const DOS_DATE_1980_01_01 = 0x21;

/** A zip archive with every entry stored uncompressed, which is all a wheel needs to be. */
const zip = (entries: ZipEntry[]): Buffer => {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
};

const recordHash = (data: Buffer): string => `sha256=${createHash('sha256').update(data).digest('base64url')}`;

/** Writes `<module>-<version>-py3-none-any.whl` with one module whose `__version__` and `greet()` say its version. */
export const writeWheel = (dir: string, distribution: string, version: string): string => {
  const module = distribution.replace(/-/g, '_');
  const info = `${module}-${version}.dist-info`;
  const files: ZipEntry[] = [
    {
      name: `${module}/__init__.py`,
      data: Buffer.from(
        `__version__ = "${version}"\n\ndef greet():\n    return "hello from ${distribution} ${version}"\n`,
      ),
    },
    {
      name: `${info}/METADATA`,
      data: Buffer.from(`Metadata-Version: 2.1\nName: ${distribution}\nVersion: ${version}\n`),
    },
    {
      name: `${info}/WHEEL`,
      data: Buffer.from(
        'Wheel-Version: 1.0\nGenerator: simplepysandbox-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
      ),
    },
  ];
  const record = [...files.map((f) => `${f.name},${recordHash(f.data)},${f.data.length}`), `${info}/RECORD,,`, ''].join(
    '\n',
  );
  files.push({ name: `${info}/RECORD`, data: Buffer.from(record) });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${module}-${version}-py3-none-any.whl`);
  writeFileSync(path, zip(files));
  return path;
};

/**
 * Writes `<module>-<version>.tar.gz`, a source distribution whose build pip runs
 * (as root, in the image build) through `setup.py`: it is the PEP 517 build
 * backend itself (`backend-path = ["."]`), so the build needs nothing else,
 * not even setuptools. `setupPy` is the whole of it: it must define the hooks
 * pip calls, or fail.
 */
export const writeSdist = async (
  dir: string,
  distribution: string,
  version: string,
  setupPy: string,
): Promise<string> => {
  const module = distribution.replace(/-/g, '_');
  const root = `${module}-${version}`;
  const files: Record<string, string> = {
    'PKG-INFO': `Metadata-Version: 2.1\nName: ${distribution}\nVersion: ${version}\n`,
    'pyproject.toml': '[build-system]\nrequires = []\nbuild-backend = "setup"\nbackend-path = ["."]\n',
    'setup.py': setupPy,
  };
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    tar.once('end', resolve);
    tar.once('error', reject);
  });
  tar.entry({ name: `${root}/`, type: 'directory', mode: 0o755 });
  for (const [name, text] of Object.entries(files)) tar.entry({ name: `${root}/${name}`, mode: 0o644 }, text);
  tar.finalize();
  await ended;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${root}.tar.gz`);
  writeFileSync(path, gzipSync(Buffer.concat(chunks)));
  return path;
};
