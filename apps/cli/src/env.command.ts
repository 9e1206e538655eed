import type { EnvironmentSpec, SandboxClient } from '@sps/client';
import { readFile } from 'node:fs/promises';
import { BuildProgressIndicator } from './build-progress.indicator';
import { CliError } from './cli-errors';
import { EXIT } from './exit-codes';

const readSpec = async (path: string): Promise<EnvironmentSpec> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read the spec ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      EXIT.noInput,
    );
  }
  try {
    return JSON.parse(text) as EnvironmentSpec;
  } catch (error) {
    throw new CliError(`${path} is not valid JSON: ${(error as Error).message}`, EXIT.invalid);
  }
};

/** `sps env create`: submits the spec; with --follow, shows the build live and exits non-zero unless it ends ready. */
export const createEnvironment = async (
  client: SandboxClient,
  specPath: string,
  { follow }: { follow?: boolean },
): Promise<number> => {
  const spec = await readSpec(specPath);
  const accepted = await client.environments.create(spec);
  process.stderr.write(`sps: environment ${accepted.name}: ${accepted.status} (spec ${accepted.specHash})\n`);
  if (!follow) return EXIT.ok;

  const progress = process.stderr.isTTY ? new BuildProgressIndicator(process.stderr, accepted.name) : undefined;
  progress?.start();
  let end: { status: string; error: string | null } | undefined;
  try {
    for await (const event of client.environments.follow(accepted.name)) {
      if (event.type === 'log') {
        if (progress) progress.line(event.line, process.stdout);
        else process.stdout.write(`${event.line}\n`);
      } else if (event.type === 'end') end = event;
    }
  } finally {
    progress?.stop();
  }
  if (end?.status === 'ready') {
    process.stderr.write(`sps: environment ${accepted.name} is ready\n`);
    return EXIT.ok;
  }
  process.stderr.write(
    `sps: environment ${accepted.name} did not build: ${end?.status ?? 'no end'}${end?.error ? `: ${end.error}` : ''}\n`,
  );
  return EXIT.failure;
};

const formatBytes = (bytes: number | null): string => (bytes === null ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);

export const listEnvironments = async (client: SandboxClient, { json }: { json?: boolean }): Promise<number> => {
  const all = await client.environments.list();
  if (json) {
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = [
    ['NAME', 'STATUS', 'BUILT-IN', 'SIZE', 'LAST USED'],
    ...all.map((e) => [e.name, e.status, e.builtin ? 'yes' : 'no', formatBytes(e.sizeBytes), e.lastUsedAt ?? '-']),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  process.stdout.write(
    rows
      .map((row) =>
        row
          .map((cell, column) => cell.padEnd(widths[column]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n',
  );
  return EXIT.ok;
};

export const removeEnvironment = async (client: SandboxClient, name: string): Promise<number> => {
  await client.environments.remove(name);
  process.stderr.write(`sps: removed environment ${name}\n`);
  return EXIT.ok;
};
