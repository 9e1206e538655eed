import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Bundles the playground into dist/playground: index.html, and under assets/
 * one script and one stylesheet whose names carry a hash of their content, so
 * the API can let browsers cache them for good. Nothing is loaded from
 * anywhere else at run time: the service runs on air-gapped hosts.
 */
const ROOT = join(__dirname, '..', '..');
const SOURCE = join(__dirname, 'src');
const OUT = join(ROOT, 'dist', 'playground');

const main = async (): Promise<void> => {
  rmSync(OUT, { recursive: true, force: true });
  const assets = join(OUT, 'assets');
  mkdirSync(assets, { recursive: true });
  const { metafile } = await build({
    entryPoints: { playground: join(SOURCE, 'main.ts'), style: join(SOURCE, 'playground.css') },
    outdir: assets,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome105', 'firefox110', 'safari16'],
    tsconfig: join(ROOT, 'tsconfig.json'),
    metafile: true,
    logLevel: 'warning',
  });
  const outputOf = (entry: string): string => {
    const [file] =
      Object.entries(metafile.outputs).find(
        ([, output]) => output.entryPoint && join(ROOT, output.entryPoint) === entry,
      ) ?? [];
    if (!file) throw new Error(`esbuild wrote nothing for ${relative(ROOT, entry)}`);
    return `/playground/${basename(file)}`;
  };
  const page = readFileSync(join(SOURCE, 'index.html'), 'utf8')
    .replace('{{js}}', outputOf(join(SOURCE, 'main.ts')))
    .replace('{{css}}', outputOf(join(SOURCE, 'playground.css')));
  writeFileSync(join(OUT, 'index.html'), page);
  // Served instead of the original to browsers that accept gzip (preCompressed in playground.static.ts).
  for (const file of Object.keys(metafile.outputs))
    writeFileSync(join(ROOT, `${file}.gz`), gzipSync(readFileSync(join(ROOT, file)), { level: 9 }));
  const sizes = Object.entries(metafile.outputs).map(
    ([file, output]) => `${basename(file)} ${(output.bytes / 1024).toFixed(0)} KiB`,
  );
  console.log(`playground: ${sizes.join(', ')}`);
};

main().catch((error: Error) => {
  console.error(`playground build failed: ${error?.message ?? String(error)}`);
  process.exit(1);
});
