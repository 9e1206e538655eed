import { ApiClient, ApiError } from './api.client';
import type { ServerLimits } from './api.types';
import { CodeEditor } from './code.editor';
import { byId } from './dom';
import { EnvironmentPicker } from './environment.picker';
import { keyStore } from './key.store';
import { OutputView } from './output.view';
import { RunInputsForm } from './run-inputs.form';
import { buildRunRequest } from './run-request.builder';
import type { RunTransport } from './run.transport';
import { WaitRunTransport } from './wait-run.transport';

const SAMPLE = `import sys

print("Hello from the sandbox")
print(sys.version.split()[0], file=sys.stderr)
`;

/**
 * The page: a key, an environment, code and its inputs, and one run at a time.
 * Output arrives through a RunTransport (the only part that knows how), so a
 * streaming transport can replace WaitRunTransport without touching the rest.
 */
class Playground {
  private readonly api = new ApiClient(() => keyStore.get());
  private readonly transport: RunTransport = new WaitRunTransport(this.api);
  private readonly keyInput = byId('api-key', HTMLInputElement);
  private readonly connection = byId('connection', HTMLElement);
  private readonly runButton = byId('run', HTMLButtonElement);
  private readonly environments = new EnvironmentPicker(byId('environment', HTMLSelectElement), this.api);
  private readonly inputs = new RunInputsForm();
  private readonly editor = new CodeEditor(byId('editor', HTMLElement), SAMPLE);
  private readonly output = new OutputView({
    status: byId('status', HTMLElement),
    usage: byId('usage', HTMLElement),
    output: byId('output', HTMLElement),
    displays: byId('displays', HTMLElement),
    files: byId('files', HTMLElement),
  });
  private limits: ServerLimits | undefined;
  private running = false;

  start(): void {
    byId('key-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      const key = this.keyInput.value.trim();
      if (key) keyStore.set(key);
      else keyStore.clear();
      this.keyInput.value = '';
      void this.connect();
    });
    byId('forget-key', HTMLButtonElement).addEventListener('click', () => {
      keyStore.clear();
      void this.connect();
    });
    byId('refresh-environments', HTMLButtonElement).addEventListener('click', () => void this.loadEnvironments());
    this.runButton.addEventListener('click', () => void this.run());
    // Capture phase, before the editor: there Mod-Enter would otherwise insert a blank line.
    document.addEventListener(
      'keydown',
      (event) => {
        if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
        event.preventDefault();
        event.stopPropagation();
        void this.run();
      },
      true,
    );
    this.output.reset('idle');
    void this.connect();
  }

  /** Asks the API for this key's limits: that says at once whether the key works (or whether none is needed). */
  private async connect(): Promise<void> {
    const key = keyStore.get();
    this.keyInput.placeholder = key ? 'a key is saved for this tab' : 'paste an API key';
    this.say('connecting…');
    try {
      this.limits = await this.api.get<ServerLimits>('/v1/limits');
      this.inputs.showLimits(this.limits);
      this.say(key ? 'Key accepted.' : 'Connected: this server needs no API key (authentication is off).', 'ok');
      await this.loadEnvironments();
    } catch (error) {
      this.limits = undefined;
      this.inputs.showLimits(undefined);
      this.environments.clear();
      if (error instanceof ApiError && error.status === 401 && !key)
        this.say(
          'This server needs an API key: paste one above (a first start writes its admin key to .data/admin-key).',
          'problem',
        );
      else this.say(describe(error), 'problem');
    }
  }

  private async loadEnvironments(): Promise<void> {
    try {
      await this.environments.refresh();
    } catch (error) {
      this.say(`Environments could not be listed. ${describe(error)}`, 'problem');
    }
  }

  private async run(): Promise<void> {
    if (this.running) return;
    const built = buildRunRequest(
      { code: this.editor.code, environment: this.environments.value, ...this.inputs.values() },
      this.limits,
    );
    if ('problems' in built) {
      this.output.reset('not run');
      this.output.failure(built.problems.join('; '));
      return;
    }
    this.running = true;
    this.runButton.disabled = true;
    this.output.reset('sending');
    try {
      await this.transport.run(built.request, this.output);
    } catch (error) {
      this.output.failure(describe(error));
      if (error instanceof ApiError && error.status === 401) this.say(error.describe(), 'problem');
    } finally {
      this.running = false;
      this.runButton.disabled = false;
    }
  }

  private say(message: string, kind: 'ok' | 'problem' | 'info' = 'info'): void {
    this.connection.textContent = message;
    this.connection.className = `connection connection-${kind}`;
  }
}

const describe = (error: unknown): string =>
  error instanceof ApiError ? error.describe() : `Something went wrong in the page: ${String(error)}`;

new Playground().start();
