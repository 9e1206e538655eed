import { constants } from 'node:os';

/**
 * What `sps` exits with. A run exits with its program's own code, and with
 * the codes coreutils `timeout` and shells use for the ways a program is
 * stopped; the command line's own failures use the BSD sysexits codes, so a
 * script can tell "the service said no" from "the program failed".
 */
export const EXIT = {
  ok: 0,
  /** A build that failed, an unknown name, a state conflict: the service answered, and the answer is no. */
  failure: 1,
  timeout: 124,
  /** 128 + SIGINT, like a program interrupted with Ctrl-C. */
  cancelled: 130,
  /** 128 + SIGKILL, what a shell reports for a program the OOM killer ended. */
  oom: 137,
  /** 128 + SIGPIPE: the program was stopped because its output went past the cap. */
  outputLimit: 141,
  /** EX_USAGE: bad options or arguments. */
  usage: 64,
  /** EX_DATAERR: the service refused the request as invalid (400, 413). */
  invalid: 65,
  /** EX_NOINPUT: a local file (script, spec, --file, --stdin) could not be read. */
  noInput: 66,
  /** EX_UNAVAILABLE: the service could not be reached, or answered 503. */
  unavailable: 69,
  /** EX_SOFTWARE: the service could not run the job (status `error`) or failed itself (5xx). */
  serviceError: 70,
  /** EX_CANTCREAT: a returned file could not be written under ./sps-out. */
  cantCreate: 73,
  /** EX_TEMPFAIL: over a quota (429); try again after the time printed. */
  quota: 75,
  /** EX_NOPERM: no key, a bad key, or a key without the role this needs (401, 403). */
  noPermission: 77,
} as const;

export interface RunOutcome {
  status: string;
  exitCode: number | null;
  signal: string | null;
}

/** The exit code of `sps run` for a final result. */
export const exitCodeOf = ({ status, exitCode, signal }: RunOutcome): number => {
  switch (status) {
    case 'succeeded':
      return EXIT.ok;
    case 'failed': {
      if (exitCode !== null && exitCode >= 1 && exitCode <= 255) return exitCode;
      const number = signal ? (constants.signals as Record<string, number | undefined>)[signal] : undefined;
      return number ? 128 + number : EXIT.failure;
    }
    case 'timeout':
      return EXIT.timeout;
    case 'oom':
      return EXIT.oom;
    case 'output_limit':
      return EXIT.outputLimit;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return EXIT.serviceError;
  }
};
