import type { SandboxLimits } from '@sps/config';
import type { ExecutionResult } from '@sps/queue';

/** An MCP tool result: what the SDK's CallToolResult holds, with the content kinds these tools send. */
export interface ToolResult {
  [key: string]: unknown;
  content: ({ type: 'text'; text: string } | { type: 'image'; data: string; mimeType: string })[];
  isError?: boolean;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whatever the name says, only bytes that start like a PNG are sent as one. */
export const isPng = (base64: string): boolean =>
  Buffer.from(base64.slice(0, 12), 'base64').subarray(0, 8).equals(PNG_SIGNATURE);

export interface RunContext {
  /** The limits the job ran with. */
  limits: SandboxLimits;
  /** The largest timeout this key may ask for. */
  maxTimeoutMs: number;
}

/** The first line of the answer: what happened, and for a failure, what to change. */
const headline = (result: ExecutionResult, { limits, maxTimeoutMs }: RunContext): string => {
  switch (result.status) {
    case 'succeeded':
      return 'status: succeeded (exit code 0)';
    case 'failed':
      return `status: failed: the program exited with code ${result.exitCode ?? '?'}${result.signal ? ` (${result.signal})` : ''}; the error is in stderr`;
    case 'timeout':
      return `status: timeout after ${limits.timeoutMs} ms: the program was killed. Make it faster, or pass a larger timeoutMs (at most ${maxTimeoutMs})`;
    case 'oom':
      return `status: oom: the program went past its ${limits.memoryMb} MB memory limit and was killed; use less memory`;
    case 'output_limit':
      return `status: output_limit: the program printed more than ${limits.outputBytes} bytes and was stopped; print less, or write large output to a file`;
    case 'cancelled':
      return 'status: cancelled';
    case 'error':
      return `status: error: the service could not run the code: ${result.error ?? 'unknown error'}${/environment/.test(result.error ?? '') ? ' (list_environments shows the ones there are)' : ''}`;
    default:
      return `status: ${result.status}`;
  }
};

export const section = (name: string, text: string, truncated: boolean): string =>
  `${name}:${truncated ? ' (cut at the output cap)' : ''}\n${text === '' ? '(empty)' : text}`;

/**
 * The answer of run_python for a final result: one text block with the
 * status, stdout, stderr and the files, then one image block per PNG (files
 * and displays).
 */
export const runPythonResult = (result: ExecutionResult, context: RunContext): ToolResult => {
  const images = [
    ...result.files.filter((file) => isPng(file.content)).map((file) => file.content),
    ...pngDisplays(result),
  ];
  const files = result.files.map(
    (file) => `${file.path} (${file.size} bytes${isPng(file.content) ? ', PNG, shown below' : ''})`,
  );
  const text = [
    headline(result, context),
    section('stdout', result.stdout, result.stdoutTruncated),
    section('stderr', result.stderr, result.stderrTruncated),
    ...(files.length || result.filesTruncated
      ? [
          `files written:${result.filesTruncated ? ' (some were left out: caps, links or odd names)' : ''}\n${files.join('\n')}`,
        ]
      : []),
  ].join('\n\n');
  return toolResult(result, text, images);
};

/** The base64 PNGs among a result's displays: figures left open, display() of an image. */
export const pngDisplays = (result: ExecutionResult): string[] =>
  (result.displays ?? []).filter((d) => d.mime === 'image/png' && isPng(d.data)).map((d) => d.data);

/** One text block, then one image block per PNG; anything but success is a tool error, so a model sees at once that it has something to fix. */
export const toolResult = (result: ExecutionResult, text: string, images: string[]): ToolResult => ({
  content: [{ type: 'text', text }, ...images.map((data) => ({ type: 'image' as const, data, mimeType: 'image/png' }))],
  ...(result.status === 'succeeded' ? {} : { isError: true }),
});
