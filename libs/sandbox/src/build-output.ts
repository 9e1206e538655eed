// Colour codes the legacy builder wraps around a step's stderr.
// eslint-disable-next-line no-control-regex -- ESC is the very character to find
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const MAX_PENDING_CHARS = 64 * 1024;
const RECENT_LINES = 10;
// Docker's own lines between a step's output and its error say nothing about the cause.
const BUILDER_NOISE = /^(?: ---> |Removing intermediate container|Step \d+\/\d+ :)/;

/**
 * Reads the engine's build progress, newline-delimited JSON objects such as
 * {"stream": "Step 1/4 : ..."}, {"aux": {"ID": "sha256:..."}} and
 * {"error": "..."}, which may arrive split anywhere. Output text is turned
 * into whole lines without colour codes. Pulls and pushes report in the same
 * form; a push ends with {"aux": {"Tag": ..., "Digest": "sha256:..."}}.
 */
export class BuildOutput {
  imageId: string | null = null;
  /** The manifest digest a push reports. */
  digest: string | null = null;
  error: string | null = null;
  private json = '';
  private text = '';
  private readonly recent: string[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.json += chunk.toString();
    let newline: number;
    while ((newline = this.json.indexOf('\n')) >= 0) {
      const raw = this.json.slice(0, newline).trim();
      this.json = this.json.slice(newline + 1);
      if (raw) this.accept(raw);
    }
  }

  /**
   * The engine's error says which step failed; the step's last words usually
   * say why (e.g. "E: Unable to locate package x"), so they come first.
   */
  get failure(): string | null {
    if (!this.error) return null;
    const cause = this.recent.filter((line) => line !== this.error && !BUILDER_NOISE.test(line)).at(-1);
    return cause ? `${cause} (${this.error})` : this.error;
  }

  /** Flushes whatever is left once the stream has ended. */
  end(): void {
    if (this.json.trim()) this.accept(this.json.trim());
    this.json = '';
    if (this.text) this.emit(this.text);
    this.text = '';
  }

  private accept(raw: string): void {
    let message: {
      stream?: string;
      status?: string;
      error?: string;
      errorDetail?: { message?: string };
      aux?: { ID?: string; Digest?: string };
    };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return this.addText(`${raw}\n`);
    }
    if (typeof message.stream === 'string') this.addText(message.stream);
    if (typeof message.status === 'string') this.addText(`${message.status}\n`);
    if (typeof message.aux?.ID === 'string') this.imageId = message.aux.ID;
    if (typeof message.aux?.Digest === 'string') this.digest = message.aux.Digest;
    const error = message.errorDetail?.message ?? message.error;
    if (typeof error === 'string') {
      this.error = error.replace(ANSI, '').trim();
      this.addText(`${this.error}\n`);
    }
  }

  private addText(text: string): void {
    this.text += text;
    const parts = this.text.split(/\r\n|\n|\r/);
    this.text = parts.pop() ?? '';
    if (this.text.length > MAX_PENDING_CHARS) {
      parts.push(this.text);
      this.text = '';
    }
    for (const part of parts) this.emit(part);
  }

  private emit(line: string): void {
    const clean = line.replace(ANSI, '').trimEnd();
    if (!clean) return;
    this.recent.push(clean);
    if (this.recent.length > RECENT_LINES) this.recent.shift();
    this.onLine(clean);
  }
}
