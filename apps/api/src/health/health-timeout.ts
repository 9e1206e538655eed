/** A dependency that does not answer within this counts as down: readiness must answer quickly. */
export const HEALTH_CHECK_TIMEOUT_MS = 1000;
