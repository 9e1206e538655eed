import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unsafePathReason, writeDisplay, writeReturnedFiles } from './output-files.writer';

const ID = '4b0c1a2e-1111-4222-8333-944455556666';
const file = (path: string, text = path) => ({ path, content: Buffer.from(text).toString('base64') });

/** Every path under `dir`, relative, sorted: to show that nothing else was created. */
const tree = (dir: string, prefix = ''): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? [`${prefix}${entry.name}/`, ...tree(join(dir, entry.name), `${prefix}${entry.name}/`)]
        : [`${prefix}${entry.name}`],
    )
    .sort();

describe('writeReturnedFiles', () => {
  let sandbox: string;
  beforeEach(() => {
    sandbox = mkdtempSync(join(tmpdir(), 'sps-out-spec-'));
  });
  afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

  it('writes plain and nested files under <root>/<id>/', async () => {
    const root = join(sandbox, 'sps-out');
    const result = await writeReturnedFiles(root, ID, [file('out.txt', 'hi'), file('data/deep/table.csv', 'a,b')]);
    expect(result.written).toEqual(['out.txt', 'data/deep/table.csv']);
    expect(result.refused).toEqual([]);
    expect(readFileSync(join(root, ID, 'data/deep/table.csv'), 'utf8')).toBe('a,b');
  });

  it.each([
    ['../escape.txt'],
    ['../../etc/passwd'],
    ['a/../../escape.txt'],
    ['/etc/passwd'],
    ['./x'],
    ['a//b'],
    ['..\\escape.txt'],
    ['bad\nname'],
    ['nul\u0000name'],
    [''],
  ])('refuses %j and writes nothing outside the directory', async (path) => {
    const root = join(sandbox, 'sps-out');
    const result = await writeReturnedFiles(root, ID, [file(path), file('kept.txt')]);
    expect(result.refused.map((r) => r.path)).toEqual([path]);
    expect(result.written).toEqual(['kept.txt']);
    expect(tree(sandbox)).toEqual(['sps-out/', `sps-out/${ID}/`, `sps-out/${ID}/kept.txt`]);
  });

  it('refuses an id that is not a UUID, so it cannot name a path', async () => {
    await expect(writeReturnedFiles(join(sandbox, 'sps-out'), '../../tmp', [file('x')])).rejects.toThrow(/not a UUID/);
    expect(tree(sandbox)).toEqual([]);
  });

  it('never writes into a directory that was there before (a link planted there is not followed)', async () => {
    const root = join(sandbox, 'sps-out');
    const elsewhere = join(sandbox, 'elsewhere');
    mkdirSync(root);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(root, ID));
    await expect(writeReturnedFiles(root, ID, [file('x')])).rejects.toThrow(/EEXIST/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('reports a file that clashes with a directory of another instead of failing the rest', async () => {
    const result = await writeReturnedFiles(join(sandbox, 'sps-out'), ID, [file('a/b'), file('a'), file('c')]);
    expect(result.written).toEqual(['a/b', 'c']);
    expect(result.refused).toEqual([{ path: 'a', reason: 'EEXIST' }]);
  });

  it('accepts ordinary relative names', () => {
    for (const path of ['plot.png', 'out/result.json', '.hidden', 'a b/c-d_e.txt', 'ünïcode.txt'])
      expect(unsafePathReason(path)).toBeNull();
  });
});

describe('writeDisplay', () => {
  let sandbox: string;
  beforeEach(() => {
    sandbox = mkdtempSync(join(tmpdir(), 'sps-display-spec-'));
  });
  afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

  it('saves displays as display-<n>.png under <root>/<session id>/', async () => {
    const root = join(sandbox, 'sps-out');
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const first = await writeDisplay(root, ID, 1, bytes.toString('base64'));
    await writeDisplay(root, ID, 2, bytes.toString('base64'));
    expect(first).toBe(join(root, ID, 'display-1.png'));
    expect(readFileSync(first)).toEqual(bytes);
    expect(tree(root)).toEqual([`${ID}/`, `${ID}/display-1.png`, `${ID}/display-2.png`]);
  });

  it('never writes through a link planted where a display goes, nor for an id that is not a UUID', async () => {
    const root = join(sandbox, 'sps-out');
    mkdirSync(join(root, ID), { recursive: true });
    symlinkSync(join(sandbox, 'victim'), join(root, ID, 'display-1.png'));
    await expect(writeDisplay(root, ID, 1, 'AAAA')).rejects.toThrow(/EEXIST/);
    expect(readdirSync(sandbox).sort()).toEqual(['sps-out']);
    await expect(writeDisplay(root, '../escape', 1, 'AAAA')).rejects.toThrow(/not a UUID/);
  });
});
