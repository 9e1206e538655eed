// Bundles the command line, the client and its two libraries into one file, dist/apps/cli/sps.js: `sps` needs nothing installed beside it.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outfile = join(root, 'dist', 'apps', 'cli', 'sps.js');
await build({
  entryPoints: [join(root, 'apps', 'cli', 'src', 'main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile,
  // @sps/client resolves through the paths of the root tsconfig.json, as everywhere in the repository.
  tsconfig: join(root, 'tsconfig.json'),
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: 'linked',
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
console.log(`built ${outfile.slice(root.length + 1)}`);
