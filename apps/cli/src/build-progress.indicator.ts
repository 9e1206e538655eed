const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_MS = 100;

/**
 * A one-line spinner on a terminal while a build runs: elapsed time, lines
 * so far and the latest step. Log lines go to stdout; the spinner line is
 * cleared before each one and drawn again after, so the two never mix on a
 * shared terminal. Used only when stderr is a TTY.
 */
export class BuildProgressIndicator {
  private frame = 0;
  private lines = 0;
  private step = '';
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly terminal: NodeJS.WriteStream,
    private readonly name: string,
  ) {}

  start(): void {
    this.draw();
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  /** Prints a log line above the spinner. */
  line(text: string, out: NodeJS.WritableStream): void {
    this.lines++;
    // Docker's build steps ("Step 3/7 : RUN ...") are the landmarks worth keeping in view.
    if (/^Step \d+\/\d+ :/.test(text)) this.step = text;
    this.clear();
    out.write(`${text}\n`);
    this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private clear(): void {
    this.terminal.write('\r\x1b[2K');
  }

  private draw(): void {
    const seconds = Math.floor((Date.now() - this.startedAt) / 1000);
    const status = `${FRAMES[this.frame++ % FRAMES.length]} building ${this.name} · ${seconds}s · ${this.lines} lines${this.step ? ` · ${this.step}` : ''}`;
    const width = Math.max(20, (this.terminal.columns || 80) - 1);
    this.terminal.write(`\r\x1b[2K${status.length > width ? `${status.slice(0, width - 1)}…` : status}`);
  }
}
