import {
  Conflict,
  Forbidden,
  NotFound,
  QuotaExceeded,
  SandboxError,
  ServiceUnavailable,
  SessionGone,
  Unauthorized,
  Unreachable,
  ValidationFailed,
} from '@sps/client';
import { EXIT } from './exit-codes';

/** A mistake on the command line, or a local file that cannot be read: said plainly, with its own exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}

/** The service's rate message says when to retry already; the others do not. */
const withRetry = (message: string, seconds: number | undefined): string =>
  seconds === undefined || /retry in \d+ s/.test(message) ? message : `${message}; retry in ${seconds} s`;

/** What `sps` prints for a failure, and the code it exits with. */
export const describeFailure = (error: unknown, url: string): { message: string; exitCode: number } => {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof Unreachable) {
    return {
      message: `${error.message}\n  Is the service running there? Set SPS_URL or --url to its address.`,
      exitCode: EXIT.unavailable,
    };
  }
  if (error instanceof Unauthorized) {
    return {
      message: `the service at ${url} refused the API key: ${error.message}\n  Set SPS_API_KEY or --key to a valid key.`,
      exitCode: EXIT.noPermission,
    };
  }
  if (error instanceof Forbidden)
    return { message: `${error.message} (this needs an admin API key)`, exitCode: EXIT.noPermission };
  if (error instanceof QuotaExceeded)
    return { message: `over quota: ${withRetry(error.message, error.retryAfter)}`, exitCode: EXIT.quota };
  if (error instanceof ServiceUnavailable) {
    return {
      message: `the service is unavailable: ${withRetry(error.message, error.retryAfter)}`,
      exitCode: EXIT.unavailable,
    };
  }
  if (error instanceof ValidationFailed) {
    return {
      message: `the service refused the request:\n${error.messages.map((m) => `  - ${m}`).join('\n')}`,
      exitCode: EXIT.invalid,
    };
  }
  if (error instanceof SessionGone)
    return { message: `${error.message}; start a new one with sps session`, exitCode: EXIT.failure };
  if (error instanceof NotFound || error instanceof Conflict) return { message: error.message, exitCode: EXIT.failure };
  if (error instanceof SandboxError) {
    const exitCode =
      error.status === 413 ? EXIT.invalid : (error.status ?? 500) >= 500 ? EXIT.serviceError : EXIT.failure;
    return { message: `the service answered ${error.status}: ${error.message}`, exitCode };
  }
  return {
    message: `unexpected error: ${error instanceof Error ? error.stack : String(error)}`,
    exitCode: EXIT.serviceError,
  };
};
