import {
  Conflict,
  NotFound,
  type ExecutionResult,
  type InputFile,
  type SandboxClient,
  type SubmitOptions,
} from '@sps/client';
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, posix, relative, sep } from 'node:path';
import { CliError } from './cli-errors';
import { EXIT, exitCodeOf } from './exit-codes';
import { writeReturnedFiles } from './output-files.writer';

export interface RunFlags {
  env?: string;
  file?: string[];
  stdin?: string;
  arg?: string[];
  timeout?: number;
  memory?: number;
  json?: boolean;
}

/** Returned files go under ./sps-out/<execution id>/. */
export const OUTPUT_ROOT = 'sps-out';

const readLocal = async (path: string, what: string): Promise<Buffer> => {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CliError(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      EXIT.noInput,
    );
  }
};

const readStdin = async (): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Where a local file lands in the sandbox: its relative path when it stays below the current directory, else its name. */
export const sandboxPathOf = (local: string): string => {
  const normalized = posix.normalize(local.split(sep).join('/'));
  const below = !isAbsolute(local) && normalized !== '..' && !normalized.startsWith('../');
  return below ? normalized.replace(/^(\.\/)+/, '') : basename(local);
};

const describeEnding = (result: ExecutionResult): string | undefined => {
  switch (result.status) {
    case 'timeout':
      return `timed out after ${result.usage?.wallMs ?? '?'} ms of wall time and was killed; raise --timeout (up to the server's maximum)`;
    case 'oom':
      return "ran out of memory and was killed; raise --memory (up to the server's maximum)";
    case 'output_limit':
      return 'printed more than the output cap and was stopped; the output above is cut there';
    case 'cancelled':
      return 'was cancelled';
    case 'error':
      return `could not be run: ${result.error ?? 'unknown error'}`;
    default:
      return undefined;
  }
};

/** `sps run`: sends the script, prints its output as it runs, writes its files, and answers the exit code. */
export const runScript = async (client: SandboxClient, script: string, flags: RunFlags): Promise<number> => {
  const code = (await readLocal(script, 'the script')).toString('utf8');
  const files: InputFile[] = [];
  for (const path of flags.file ?? []) {
    files.push({
      path: sandboxPathOf(path),
      content: (await readLocal(path, '--file')).toString('base64'),
      encoding: 'base64',
    });
  }
  const stdin =
    flags.stdin === undefined
      ? undefined
      : (flags.stdin === '-' ? await readStdin() : await readLocal(flags.stdin, '--stdin')).toString('utf8');
  const limits = {
    ...(flags.timeout ? { timeoutMs: flags.timeout } : {}),
    ...(flags.memory ? { memoryMb: flags.memory } : {}),
  };
  const request: SubmitOptions = {
    ...(flags.env ? { environment: flags.env } : {}),
    ...(stdin !== undefined ? { stdin } : {}),
    ...(flags.arg?.length ? { args: flags.arg } : {}),
    ...(files.length ? { files } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
  };

  const output = flags.json ? undefined : new LiveOutput();
  const result = await submitAndFollow(client, code, request, output);

  if (output) output.finish(result);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const note = (text: string) => process.stderr.write(`sps: ${text}\n`);
  if (result.stdoutTruncated) note('stdout was cut at the output cap');
  if (result.stderrTruncated) note('stderr was cut at the output cap');
  const ending = describeEnding(result);
  if (ending) note(`execution ${result.id} ${ending}`);
  if (result.filesTruncated) note('the service left some output files out (size or count caps, links, or odd names)');
  if (result.files.length) {
    let written;
    try {
      written = await writeReturnedFiles(OUTPUT_ROOT, result.id, result.files);
    } catch (error) {
      note(`could not write the returned files: ${(error as Error).message}`);
      return EXIT.cantCreate;
    }
    const where = relative(process.cwd(), written.dir) || '.';
    if (written.written.length) note(`${written.written.length} file(s) in ${where}/: ${written.written.join(', ')}`);
    for (const { path, reason } of written.refused) note(`left out returned file ${JSON.stringify(path)}: ${reason}`);
  }
  return exitCodeOf(result);
};

/**
 * The program's stdout and stderr, printed as they arrive; `finish` prints
 * whatever of the result's output has not been (all of it when nothing was
 * streamed, the rest after an interruption).
 */
class LiveOutput {
  private readonly printed = { stdout: 0, stderr: 0 };

  print(stream: 'stdout' | 'stderr', text: string): void {
    this.printed[stream] += text.length;
    process[stream].write(text);
  }

  finish(result: ExecutionResult): void {
    for (const stream of ['stdout', 'stderr'] as const)
      process[stream].write(result[stream].slice(this.printed[stream]));
  }
}

/**
 * Prints the execution's output as it comes, and resolves with the result.
 * A service without execution events answers 404 for their route (though the
 * id was just accepted): then the output comes with the result instead.
 */
const follow = async (
  client: SandboxClient,
  id: string,
  output: LiveOutput | undefined,
  signal: AbortSignal,
): Promise<ExecutionResult> => {
  if (output) {
    let streamed = false;
    try {
      for await (const event of client.stream(id, { signal })) {
        streamed = true;
        if (event.type === 'stdout' || event.type === 'stderr') output.print(event.type, event.text);
        else if (event.type === 'result') return event.result;
      }
    } catch (error) {
      if (streamed || !(error instanceof NotFound)) throw error;
    }
  }
  return client.wait(id, { signal });
};

/** Submits and follows the execution to its result; Ctrl-C from then on cancels the execution rather than leave it running. */
const submitAndFollow = async (
  client: SandboxClient,
  code: string,
  request: SubmitOptions,
  output: LiveOutput | undefined,
): Promise<ExecutionResult> => {
  const interrupted = new AbortController();
  const onSigint = () => interrupted.abort();
  process.once('SIGINT', onSigint);
  try {
    let id: string;
    try {
      ({ id } = await client.submit(code, { ...request, signal: interrupted.signal }));
    } catch (error) {
      if (interrupted.signal.aborted)
        throw new CliError('interrupted before the service accepted the script', EXIT.cancelled);
      throw error;
    }
    try {
      return await follow(client, id, output, interrupted.signal);
    } catch (error) {
      if (!interrupted.signal.aborted) throw error;
      // A DELETE of a final execution deletes it: look first, so a result that just arrived is kept.
      const now = await client.get(id);
      if (now.status !== 'queued' && now.status !== 'running') return now;
      process.stderr.write(`sps: interrupted; cancelling execution ${id}\n`);
      const cancelled = await client.cancel(id).catch((cancelError: unknown) => {
        if (cancelError instanceof Conflict) return client.get(id);
        throw cancelError;
      });
      if (!cancelled) throw new CliError(`execution ${id} finished as it was interrupted`, EXIT.cancelled);
      return cancelled;
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
};
