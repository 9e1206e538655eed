import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { buildContextTar, readWheelhouse, WheelhouseError } from './build-context';

const entries = async (tar: Buffer): Promise<{ name: string; type: string; content: string }[]> => {
  const found: { name: string; type: string; content: string }[] = [];
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  reader.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      found.push({ name: header.name, type: header.type ?? 'file', content: Buffer.concat(chunks).toString() });
      next();
    });
  });
  reader.end(tar);
  await done;
  return found;
};

describe('buildContextTar', () => {
  it('holds only the Dockerfile when there is no wheelhouse', async () => {
    expect(await entries(await buildContextTar('FROM x\n', null))).toEqual([
      { name: 'Dockerfile', type: 'file', content: 'FROM x\n' },
    ]);
  });

  it('adds the wheelhouse directory, empty or with its files in name order', async () => {
    expect((await entries(await buildContextTar('FROM x\n', []))).map((e) => [e.name, e.type])).toEqual([
      ['Dockerfile', 'file'],
      ['wheelhouse/', 'directory'],
    ]);
    const files = [
      { name: 'b-1.0-py3-none-any.whl', data: Buffer.from('bee') },
      { name: 'a-1.0.tar.gz', data: Buffer.from('ay') },
    ];
    expect((await entries(await buildContextTar('FROM x\n', files))).map((e) => [e.name, e.content])).toEqual([
      ['Dockerfile', 'FROM x\n'],
      ['wheelhouse/', ''],
      ['wheelhouse/a-1.0.tar.gz', 'ay'],
      ['wheelhouse/b-1.0-py3-none-any.whl', 'bee'],
    ]);
  });

  it('is byte-identical for the same inputs', async () => {
    const files = [{ name: 'a-1.0.tar.gz', data: Buffer.from('ay') }];
    expect((await buildContextTar('FROM x\n', files)).equals(await buildContextTar('FROM x\n', [...files]))).toBe(true);
  });
});

describe('readWheelhouse', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sps-wheelhouse-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('takes wheels and sdists at the top level, and skips everything else', async () => {
    await writeFile(join(dir, 'pkg-1.0-py3-none-any.whl'), 'w');
    await writeFile(join(dir, 'pkg-1.0.tar.gz'), 's');
    await writeFile(join(dir, 'notes.txt'), 'n');
    await writeFile(join(dir, '.hidden-1.0.whl'), 'h');
    await mkdir(join(dir, 'sub-1.0.whl'));
    await symlink('/etc/passwd', join(dir, 'passwd-1.0.whl'));
    expect((await readWheelhouse(dir, 1000)).map((f) => [f.name, f.data.toString()])).toEqual([
      ['pkg-1.0-py3-none-any.whl', 'w'],
      ['pkg-1.0.tar.gz', 's'],
    ]);
  });

  it('refuses a wheelhouse larger than the cap, naming the setting', async () => {
    await writeFile(join(dir, 'a-1.0.whl'), 'x'.repeat(600));
    await writeFile(join(dir, 'b-1.0.whl'), 'x'.repeat(600));
    await expect(readWheelhouse(dir, 1000)).rejects.toThrow(WheelhouseError);
    await expect(readWheelhouse(dir, 1000)).rejects.toThrow('ENV_PIP_WHEELHOUSE_MAX_BYTES');
  });
});
