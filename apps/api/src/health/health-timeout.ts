/** A dependency that does not answer within this counts as down: readiness must answer quickly. */
export const HEALTH_CHECK_TIMEOUT_MS = 1000;

export const withTimeout = <T>(work: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('redis did not answer in time')), ms).unref()),
  ]);
