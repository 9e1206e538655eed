/**
 * Polls `check` until it returns something other than undefined, and returns it;
 * fails with `what` and the last value seen after `timeoutMs`. No assertion on
 * how long anything took: the timeout only turns a hang into a failure.
 */
export const eventually = async <T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out waiting for ${what}${lastError ? `; last error: ${(lastError as Error).message ?? lastError}` : ''}`,
  );
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
