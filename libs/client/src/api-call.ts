import { isFinal, type ExecutionResult } from './api-types';
import { errorFromResponse, Unreachable } from './client.errors';

export interface CallOptions {
  /** Aborts the call (for a run, only the waiting: use cancel to stop the execution). */
  signal?: AbortSignal;
}

interface Outcome {
  data?: unknown;
  error?: unknown;
  response: Response;
}

const isAbort = (error: unknown): boolean =>
  (error as { name?: string } | undefined)?.name === 'AbortError' ||
  (error as { name?: string } | undefined)?.name === 'TimeoutError';

/**
 * Awaits an openapi-fetch call and returns its data, or throws: the typed
 * error for an error answer, Unreachable when no answer came, and the
 * caller's own abort as it is.
 */
export const call = async <R extends Outcome>(
  baseUrl: string,
  pending: Promise<R>,
): Promise<{ data: Exclude<R['data'], undefined>; response: Response }> => {
  let outcome: R;
  try {
    outcome = await pending;
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new Unreachable(baseUrl, error);
  }
  if (!outcome.response.ok) throw errorFromResponse(outcome.response, outcome.error);
  return { data: outcome.data as Exclude<R['data'], undefined>, response: outcome.response };
};

/** An abort's reason as an Error: AbortSignal.abort() gives a DOMException, but a caller may abort with anything. */
const abortReason = (signal: AbortSignal): Error =>
  signal.reason instanceof Error ? signal.reason : new DOMException(String(signal.reason ?? 'aborted'), 'AbortError');

/** A pause that ends early, with the abort's reason, when `signal` fires. */
export const pause = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Between two long polls that came back before the execution was final; the server holds each one up to its wait cap. */
const REPOLL_PAUSE_MS = 100;

/** Long-polls with `poll` (a `?wait=true` read) until the execution, a job or a session's cell, is final. */
export const untilFinal = async (
  poll: () => Promise<ExecutionResult>,
  signal: AbortSignal | undefined,
): Promise<ExecutionResult> => {
  for (;;) {
    const result = await poll();
    if (isFinal(result)) return result;
    await pause(REPOLL_PAUSE_MS, signal);
  }
};
