import type { Display, ExecutionStatus, ExecutionValue, RunResult } from './api.types';
import { DisplayRenderer } from './display.renderer';
import { el, formatBytes } from './dom';
import type { RunEvents } from './run.transport';
import { showStatusBadge } from './status.badge';

export interface OutputElements {
  status: HTMLElement;
  usage: HTMLElement;
  output: HTMLElement;
  displays: HTMLElement;
  files: HTMLElement;
}

/** Draws one run (a job or a session cell) as its events arrive: the status badge, stdout and stderr as text, displays, then the result and its value. */
export class OutputView implements RunEvents {
  private readonly renderer = new DisplayRenderer();
  private shown: string | undefined;

  constructor(private readonly elements: OutputElements) {}

  /** Empties everything for a new run, showing `status` (a state of the page, such as "sending", not of a job). */
  reset(status: string): void {
    this.shown = undefined;
    this.renderer.clear();
    const { output, displays, files, usage } = this.elements;
    for (const element of [output, displays, files, usage]) element.replaceChildren();
    this.badge(status);
  }

  status(status: ExecutionStatus): void {
    this.badge(status);
  }

  stdout(text: string): void {
    this.append(text, 'stdout');
  }

  stderr(text: string): void {
    this.append(text, 'stderr');
  }

  display(display: Display): void {
    this.elements.displays.append(this.renderer.display(display));
  }

  /** The id of the execution whose result is drawn, once it has been. */
  get executionId(): string | undefined {
    return this.shown;
  }

  result(result: RunResult): void {
    this.shown = result.id;
    this.badge(result.status);
    const { usage } = result;
    this.elements.usage.textContent = usage
      ? `wall ${usage.wallMs} ms · CPU ${usage.cpuMs} ms · memory ${formatBytes(usage.peakMemoryBytes)}`
      : '';
    if (result.result) this.value(result.result);
    if (result.exitCode !== null && result.exitCode !== 0) this.note(`exit code ${result.exitCode}`);
    if (result.signal) this.note(`killed by ${result.signal}`);
    if (result.stdoutTruncated) this.note('stdout was cut at the output limit');
    if (result.stderrTruncated) this.note('stderr was cut at the output limit');
    if (result.error) this.note(result.error, 'problem');
    for (const file of result.files) {
      const image = this.renderer.imageFile(file);
      if (image) this.elements.displays.append(image);
      this.elements.files.append(this.renderer.download(file));
    }
    if (result.filesTruncated)
      this.elements.files.append(
        el('li', { className: 'note', text: 'some files were left out (too many, too large, or not regular files)' }),
      );
  }

  /** The run never got a result (the API refused it, or could not be reached), or a result could not be read back. */
  failure(message: string, status = 'not run'): void {
    this.badge(status);
    this.note(message, 'problem');
  }

  private append(text: string, stream: 'stdout' | 'stderr'): void {
    const { output } = this.elements;
    const last = output.lastElementChild;
    // Consecutive chunks of one stream share one span, so a streamed run does not leave one node per line.
    if (last instanceof HTMLSpanElement && last.classList.contains(stream)) last.append(text);
    else output.append(el('span', { className: stream, text }));
  }

  private note(text: string, kind: 'note' | 'problem' = 'note'): void {
    this.elements.output.append(el('span', { className: kind, text }));
  }

  private badge(status: string): void {
    showStatusBadge(this.elements.status, status);
  }

  /** A session cell's value, as a notebook shows it: its HTML (in the sandboxed frame) when it has some, else its repr as text. */
  private value(value: ExecutionValue): void {
    const html = value['text/html'];
    if (html !== undefined)
      this.elements.displays.append(this.renderer.display({ mime: 'text/html', data: html }, 'result'));
    else this.elements.output.append(el('span', { className: 'value', text: value['text/plain'] }));
  }
}
