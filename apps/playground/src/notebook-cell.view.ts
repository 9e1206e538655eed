import { CodeEditor } from './code.editor';
import { el } from './dom';
import { OutputView } from './output.view';

/**
 * One cell of the session notebook: its editor, its buttons, and under it the
 * output of its last run, drawn by the same OutputView as a job's output.
 */
export class NotebookCell {
  readonly element: HTMLElement;
  readonly output: OutputView;
  private readonly editor: CodeEditor;
  private readonly count = el('span', { className: 'cell-count', text: '[ ]' });
  private readonly runButton = el('button', { className: 'cell-run', text: 'Run', attrs: { type: 'button' } });
  private readonly removeButton = el('button', {
    className: 'cell-remove quiet',
    text: '×',
    attrs: { type: 'button', 'aria-label': 'Remove this cell', title: 'Remove this cell' },
  });
  private pendingRun = false;

  constructor(initial: string, actions: { run(cell: NotebookCell): void; remove(cell: NotebookCell): void }) {
    const status = el('span', { className: 'badge' });
    const usage = el('span', { className: 'usage' });
    const output = el('pre', { className: 'output', attrs: { 'aria-live': 'polite' } });
    const displays = el('div', { className: 'displays' });
    const files = el('ul', { className: 'files' });
    const editorHost = el('div', { className: 'cell-editor' });
    this.element = el('section', { className: 'cell', attrs: { 'aria-label': 'Cell' } }, [
      el('div', { className: 'cell-bar' }, [
        this.count,
        status,
        usage,
        el('span', { className: 'spacer' }),
        this.runButton,
        this.removeButton,
      ]),
      editorHost,
      el('div', { className: 'cell-output' }, [output, displays, files]),
    ]);
    this.editor = new CodeEditor(editorHost, initial);
    this.output = new OutputView({ status, usage, output, displays, files });
    this.runButton.addEventListener('click', () => actions.run(this));
    this.removeButton.addEventListener('click', () => actions.remove(this));
  }

  get code(): string {
    return this.editor.code;
  }

  /** Waiting for its turn or running: a second run of the same cell is refused until this one ends. */
  get pending(): boolean {
    return this.pendingRun;
  }

  set pending(pending: boolean) {
    this.pendingRun = pending;
    this.runButton.disabled = pending;
    this.removeButton.disabled = pending;
    this.element.classList.toggle('cell-pending', pending);
  }

  /** The number of this run in its session, as a notebook's In [n]; cleared (`[ ]`) when the interpreter changes. */
  numbered(n: number | undefined): void {
    this.count.textContent = n === undefined ? '[ ]' : `[${n}]`;
  }

  /** Forgets the output of an interpreter that no longer exists, and frees its images. */
  clear(): void {
    this.output.reset('');
    this.numbered(undefined);
  }

  focus(): void {
    this.editor.focus();
  }

  contains(node: EventTarget | null): boolean {
    return node instanceof Node && this.element.contains(node);
  }
}
