import type { EnvironmentBuildLog } from '@sps/environments';

const FLUSH_MS = 200;
const FLUSH_LINES = 100;

/** Batches a build's output into Redis: a busy apt-get prints hundreds of lines, which should not be hundreds of round trips. */
export class BuildLogWriter {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: EnvironmentBuildLog,
    private readonly buildId: string,
  ) {}

  readonly write = (lines: string[]): void => {
    this.pending.push(...lines);
    if (this.pending.length >= FLUSH_LINES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  };

  /** Writes everything so far, in order; never throws (a lost log line must not fail a build). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pending;
    this.pending = [];
    this.chain = this.chain.then(() => this.log.append(this.buildId, lines)).catch(() => undefined);
    return this.chain;
  }
}
