import { isOpenSession, type ExecutionResult, type SessionRecord } from '@sps/queue';
import { pngDisplays, section, toolResult, type ToolResult } from './run-python.result';

export interface CellContext {
  /** The time limit the cell ran with. */
  timeoutMs: number;
  memoryMb: number;
  outputBytes: number;
  /** The largest timeout this key may ask for. */
  maxTimeoutMs: number;
  /** The session as it is after the cell: a cell can take its interpreter down with it. */
  session: Pick<SessionRecord, 'status' | 'reason'>;
}

/** Whether the state is still there, and if not, what to do: the part of a failure a model most needs. */
const sessionState = ({ status, reason }: CellContext['session']): string =>
  isOpenSession(status)
    ? 'the session is still alive, with its variables'
    : `the session is ${status} (${reason ?? 'no reason recorded'}); create a new one with create_session`;

const headline = (result: ExecutionResult, context: CellContext): string => {
  const state = sessionState(context.session);
  switch (result.status) {
    case 'succeeded':
      return 'status: succeeded';
    case 'failed':
      return result.error
        ? `status: failed: ${result.error}; ${state}`
        : `status: failed: the cell raised an exception (the traceback is in stderr); ${state}`;
    case 'timeout':
      return `status: timeout after ${context.timeoutMs} ms; ${state}. Make the cell faster, or pass a larger timeoutMs (at most ${context.maxTimeoutMs})`;
    case 'oom':
      return `status: oom: the cell went past the session's ${context.memoryMb} MB memory limit; ${state}`;
    case 'output_limit':
      return `status: output_limit: the cell printed more than ${context.outputBytes} bytes and was stopped; ${state}`;
    case 'error':
      return `status: error: the service could not run the cell: ${result.error ?? 'unknown error'}; ${state}`;
    default:
      return `status: ${result.status}; ${state}`;
  }
};

/**
 * The answer of run_in_session for a final cell: status, stdout, stderr, the
 * value of its last expression and its text displays as text, then one image
 * block per PNG display.
 */
export const sessionCellResult = (result: ExecutionResult, context: CellContext): ToolResult => {
  const displays = (result.displays ?? []).filter((d) => d.mime !== 'image/png');
  const text = [
    headline(result, context),
    section('stdout', result.stdout, result.stdoutTruncated),
    section('stderr', result.stderr, result.stderrTruncated),
    ...(result.result ? [`result:\n${result.result['text/plain']}`] : []),
    ...displays.map((d) => `display (${d.mime}):\n${d.data}`),
  ].join('\n\n');
  return toolResult(result, text, pngDisplays(result));
};
