import {
  NotFound,
  SessionGone,
  Unauthorized,
  Unreachable,
  type ExecutionResult,
  type Limits,
  type SandboxClient,
  type Session,
} from '@sps/client';
import { createInterface } from 'node:readline';
import { relative } from 'node:path';
import { isCellComplete } from './cell-input';
import { describeFailure } from './cli-errors';
import { EXIT } from './exit-codes';
import { writeDisplay } from './output-files.writer';
import { OUTPUT_ROOT } from './run.command';

export interface SessionFlags {
  env?: string;
  memory?: number;
  timeout?: number;
  idleTimeout?: number;
}

const note = (text: string) => process.stderr.write(`sps: ${text}\n`);

/** How a cell that did not succeed ended, in the words of `sps run`; undefined for a plain exception (its traceback says it). */
const describeEnding = (result: ExecutionResult): string | undefined => {
  switch (result.status) {
    case 'timeout':
      return `the cell timed out after ${result.usage?.wallMs ?? '?'} ms and was interrupted`;
    case 'oom':
      return 'the cell ran out of memory';
    case 'output_limit':
      return 'the cell printed more than the output cap and was stopped';
    case 'cancelled':
      return 'the cell was cancelled';
    case 'error':
      return `the cell could not run: ${result.error ?? 'unknown error'}`;
    default:
      return undefined;
  }
};

/**
 * A cell's result as a Python prompt shows it: its output, then the value of
 * its last expression. Figures and other PNG displays are saved under
 * ./sps-out/<session id>/display-<n>.png, numbered across the session.
 */
class CellPrinter {
  private displays = 0;

  constructor(private readonly sessionId: string) {}

  async print(result: ExecutionResult): Promise<void> {
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    if (result.stdoutTruncated) note('stdout was cut at the output cap');
    if (result.stderrTruncated) note('stderr was cut at the output cap');
    for (const display of result.displays ?? []) {
      if (display.mime === 'image/png') {
        this.displays += 1;
        try {
          const path = await writeDisplay(OUTPUT_ROOT, this.sessionId, this.displays, display.data);
          note(`display ${this.displays} (image/png) saved to ${relative(process.cwd(), path)}`);
        } catch (error) {
          note(`could not save display ${this.displays}: ${(error as Error).message}`);
        }
      } else if (display.mime === 'text/plain') process.stdout.write(`${display.data}\n`);
      else note(`a ${display.mime} display of ${display.data.length} characters (not shown here)`);
    }
    if (result.result) process.stdout.write(`${result.result['text/plain']}\n`);
    const ending = describeEnding(result);
    if (ending) note(ending);
  }
}

const EXIT_COMMANDS = new Set(['exit()', 'quit()', 'exit', 'quit']);

/**
 * `sps session`: a Python prompt on a session. Lines are gathered into a
 * cell until it is complete (see isCellComplete), then run; the session keeps
 * its state between cells. Ctrl-D, exit() or the end of piped input closes
 * the session.
 */
export const runSessionRepl = async (client: SandboxClient, flags: SessionFlags): Promise<number> => {
  const limits: Limits = {
    ...(flags.memory ? { memoryMb: flags.memory } : {}),
    ...(flags.timeout ? { timeoutMs: flags.timeout } : {}),
  };
  const session = await client.createSession({
    ...(flags.env ? { environment: flags.env } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(flags.idleTimeout ? { idleTimeoutSeconds: Math.ceil(flags.idleTimeout / 1000) } : {}),
  });
  const { info } = session;
  note(
    `session ${session.id} on ${info.environment} is ready: ${info.limits.memoryMb} MB, ${info.limits.timeoutMs} ms per cell; ` +
      `it closes after ${info.idleTimeoutSeconds} s idle, or at ${session.expiresAt}. exit() or Ctrl-D ends it.`,
  );
  // Interrupted outside a prompt (piped input, or a signal from elsewhere): close the session rather than leave it open.
  const onSignal = () => {
    void session.close().finally(() => process.exit(EXIT.cancelled));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await repl(session, client.baseUrl);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
};

const repl = async (session: Session, url: string): Promise<number> => {
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const lines = createInterface({
    input: process.stdin,
    output: terminal ? process.stdout : undefined,
    terminal,
    historySize: terminal ? 1000 : 0,
  });
  const printer = new CellPrinter(session.id);
  let buffer: string[] = [];
  const prompt = () => {
    if (!terminal) return;
    lines.setPrompt(buffer.length ? '... ' : '>>> ');
    lines.prompt();
  };
  lines.on('SIGINT', () => {
    // As in Python: Ctrl-C drops the cell being typed. A cell already sent runs on to its time limit.
    process.stdout.write(buffer.length ? '\nKeyboardInterrupt\n' : '\n(exit() or Ctrl-D closes the session)\n');
    buffer = [];
    prompt();
  });
  let exitCode: number = EXIT.ok;
  prompt();
  try {
    for await (const line of lines) {
      if (!buffer.length && line.trim() === '') {
        prompt();
        continue;
      }
      if (!buffer.length && EXIT_COMMANDS.has(line.trim())) break;
      buffer.push(line);
      if (!isCellComplete(buffer)) {
        prompt();
        continue;
      }
      const code = buffer.join('\n');
      buffer = [];
      const ended = await runCell(session, code, printer, url);
      if (ended !== undefined) {
        exitCode = ended;
        break;
      }
      prompt();
    }
    // Piped input that stops inside a block: run what there is, as Python does at the end of a file.
    if (buffer.length && exitCode === EXIT.ok)
      exitCode = (await runCell(session, buffer.join('\n'), printer, url)) ?? EXIT.ok;
  } finally {
    lines.close();
  }
  if (exitCode === EXIT.ok) {
    await session.close().catch((error: unknown) => {
      if (!(error instanceof SessionGone)) throw error;
    });
    note(`session ${session.id} closed`);
  }
  return exitCode;
};

/** Failures after which no cell can run: the session ended or expired, the key stopped working, or the service went away. */
const isFatal = (error: unknown): boolean =>
  error instanceof SessionGone ||
  error instanceof NotFound ||
  error instanceof Unauthorized ||
  error instanceof Unreachable;

/** Runs one cell and prints it; resolves with an exit code when the session can no longer be used. */
const runCell = async (
  session: Session,
  code: string,
  printer: CellPrinter,
  url: string,
): Promise<number | undefined> => {
  try {
    await printer.print(await session.run(code));
    return undefined;
  } catch (error) {
    // A full queue of cells says when to try again; describeFailure adds it.
    const { message, exitCode } = describeFailure(error, url);
    note(message);
    return isFatal(error) ? exitCode : undefined;
  }
};
