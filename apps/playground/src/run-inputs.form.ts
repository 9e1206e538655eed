import type { InputFile, ServerLimits } from './api.types';
import { bytesToBase64 } from './base64';
import { byId, el, formatBytes } from './dom';
import type { RunForm } from './run-request.builder';

/** stdin, args, input files and limits: everything a run takes besides its code and environment. */
export class RunInputsForm {
  private readonly stdin = byId('stdin', HTMLTextAreaElement);
  private readonly args = byId('args', HTMLTextAreaElement);
  private readonly picker = byId('input-files', HTMLInputElement);
  private readonly fileList = byId('input-file-list', HTMLUListElement);
  private readonly fileMessage = byId('input-file-message', HTMLElement);
  private readonly timeout = byId('limit-timeout', HTMLInputElement);
  private readonly memory = byId('limit-memory', HTMLInputElement);
  private readonly timeoutHint = byId('limit-timeout-hint', HTMLElement);
  private readonly memoryHint = byId('limit-memory-hint', HTMLElement);
  private readonly files = new Map<string, { file: InputFile; size: number }>();
  private limits: ServerLimits | undefined;

  constructor() {
    this.picker.addEventListener('change', () => void this.addPicked());
  }

  values(): Omit<RunForm, 'code' | 'environment'> {
    return {
      stdin: this.stdin.value,
      args: this.args.value,
      files: [...this.files.values()].map(({ file }) => file),
      timeoutMs: this.timeout.value,
      memoryMb: this.memory.value,
    };
  }

  /** Shows this key's defaults and maxima beside the limit fields; undefined while they are unknown. */
  showLimits(limits: ServerLimits | undefined): void {
    this.limits = limits;
    const show = (input: HTMLInputElement, hint: HTMLElement, key: 'timeoutMs' | 'memoryMb') => {
      input.placeholder = limits ? String(limits.defaults[key]) : '';
      if (limits) input.max = String(limits.max[key]);
      else input.removeAttribute('max');
      hint.textContent = limits ? `default ${limits.defaults[key]}, max ${limits.max[key]}` : '';
    };
    show(this.timeout, this.timeoutHint, 'timeoutMs');
    show(this.memory, this.memoryHint, 'memoryMb');
  }

  private async addPicked(): Promise<void> {
    const picked = [...(this.picker.files ?? [])];
    this.picker.value = '';
    const problems: string[] = [];
    const maxFiles = this.limits?.request.inputFiles ?? Infinity;
    const maxBytes = this.limits?.request.inputFileBytes ?? Infinity;
    for (const file of picked) {
      const total =
        [...this.files.values()].reduce((sum, f) => sum + f.size, 0) - (this.files.get(file.name)?.size ?? 0);
      if (!this.files.has(file.name) && this.files.size >= maxFiles) {
        problems.push(`${file.name}: at most ${maxFiles} input files`);
      } else if (total + file.size > maxBytes) {
        problems.push(`${file.name}: input files may total at most ${formatBytes(maxBytes)}`);
      } else {
        const content = bytesToBase64(new Uint8Array(await file.arrayBuffer()));
        this.files.set(file.name, { file: { path: file.name, content, encoding: 'base64' }, size: file.size });
      }
    }
    this.fileMessage.textContent = problems.join('; ');
    this.renderFiles();
  }

  private renderFiles(): void {
    this.fileList.replaceChildren(
      ...[...this.files.entries()].map(([path, { size }]) => {
        const remove = el('button', {
          className: 'remove',
          text: '×',
          attrs: { type: 'button', 'aria-label': `Remove ${path}` },
        });
        remove.addEventListener('click', () => {
          this.files.delete(path);
          this.renderFiles();
        });
        return el('li', {}, [
          el('span', { text: path }),
          el('span', { className: 'size', text: formatBytes(size) }),
          remove,
        ]);
      }),
    );
  }
}
