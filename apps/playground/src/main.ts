import { ApiClient, ApiError } from './api.client';
import type { RunResult, ServerLimits } from './api.types';
import { CodeEditor } from './code.editor';
import { byId } from './dom';
import { EnvironmentPicker } from './environment.picker';
import { HistoryList } from './history.list';
import { keyStore } from './key.store';
import { OutputView } from './output.view';
import { RunInputsForm } from './run-inputs.form';
import { buildRunRequest, type BuiltRequest } from './run-request.builder';
import { executionPath, replayResult, type RunTransport } from './run.transport';
import { SessionNotebook } from './session.notebook';
import { StreamRunTransport } from './stream-run.transport';
import { WaitRunTransport } from './wait-run.transport';

type Mode = 'once' | 'session';

const SAMPLE = `import sys

print("Hello from the sandbox")
print(sys.version.split()[0], file=sys.stderr)
`;

/**
 * The page: a key, an environment, and two modes. "Run once" runs the editor's
 * code with its inputs as a job, one run at a time, beside the key's history
 * of jobs, any of which can be shown again; "Session" is a notebook
 * whose cells share one interpreter (SessionNotebook). Output arrives through
 * one RunTransport for both (the only part that knows how): the events
 * stream, or `?wait=true` on a server without one.
 */
class Playground {
  private readonly api = new ApiClient(() => keyStore.get());
  private readonly transport: RunTransport = new StreamRunTransport(this.api, new WaitRunTransport(this.api));
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
  private readonly history = new HistoryList(this.api, (id) => void this.showExecution(id), describe);
  private readonly notebook = new SessionNotebook({
    api: this.api,
    transport: this.transport,
    sessionRequest: () => {
      const built = this.buildRequest('');
      if ('problems' in built) return built;
      const { environment, files, limits } = built.request;
      return { request: { environment, files, limits } };
    },
    describe,
    keyRefused: (error) => this.say(error.describe(), 'problem'),
  });
  private readonly modeButtons: Record<Mode, HTMLButtonElement> = {
    once: byId('mode-once', HTMLButtonElement),
    session: byId('mode-session', HTMLButtonElement),
  };
  private limits: ServerLimits | undefined;
  private running = false;
  /** Aborted when another entry is chosen or a run starts: only the last thing asked for is drawn. */
  private viewing = new AbortController();
  private mode: Mode = 'once';

  start(): void {
    byId('key-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      this.notebook.discard();
      this.history.clear();
      const key = this.keyInput.value.trim();
      if (key) keyStore.set(key);
      else keyStore.clear();
      this.keyInput.value = '';
      void this.connect();
    });
    byId('forget-key', HTMLButtonElement).addEventListener('click', () => {
      this.notebook.discard();
      this.history.clear();
      keyStore.clear();
      void this.connect();
    });
    byId('refresh-environments', HTMLButtonElement).addEventListener('click', () => void this.loadEnvironments());
    this.runButton.addEventListener('click', () => void this.run());
    for (const mode of ['once', 'session'] as const)
      this.modeButtons[mode].addEventListener('click', () => this.switchTo(mode));
    // Capture phase, before the editor: there Mod-Enter would otherwise insert a blank line.
    document.addEventListener(
      'keydown',
      (event) => {
        if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
        event.preventDefault();
        event.stopPropagation();
        if (this.mode === 'session') this.notebook.runFocused(event.target);
        else void this.run();
      },
      true,
    );
    this.output.reset('idle');
    this.history.start();
    this.notebook.start();
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
      void this.history.refresh();
      await this.loadEnvironments();
    } catch (error) {
      this.limits = undefined;
      this.inputs.showLimits(undefined);
      this.environments.clear();
      this.history.clear();
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

  /**
   * Both modes share the environment, the limits and the input files, so
   * the inputs panel moves to the mode shown; stdin and args are a job's only.
   */
  private switchTo(mode: Mode): void {
    this.mode = mode;
    document.body.dataset.mode = mode;
    for (const [name, button] of Object.entries(this.modeButtons))
      button.setAttribute('aria-pressed', String(name === mode));
    byId('once-mode', HTMLElement).hidden = mode !== 'once';
    byId('session-mode', HTMLElement).hidden = mode !== 'session';
    byId(mode === 'once' ? 'once-inputs' : 'session-inputs', HTMLElement).append(byId('inputs', HTMLElement));
  }

  /** The form as a job's request body; a session takes its environment, files and limits from it. */
  private buildRequest(code: string): BuiltRequest {
    return buildRunRequest({ code, environment: this.environments.value, ...this.inputs.values() }, this.limits);
  }

  private async run(): Promise<void> {
    if (this.running) return;
    const built = this.buildRequest(this.editor.code);
    if ('problems' in built) {
      this.output.reset('not run');
      this.output.failure(built.problems.join('; '));
      return;
    }
    this.viewing.abort();
    this.running = true;
    this.runButton.disabled = true;
    this.history.setEnabled(false);
    this.history.select(undefined);
    this.output.reset('sending');
    try {
      await this.transport.run({ kind: 'job', request: built.request }, this.output);
    } catch (error) {
      this.output.failure(describe(error));
      if (error instanceof ApiError && error.status === 401) this.say(error.describe(), 'problem');
    } finally {
      this.running = false;
      this.runButton.disabled = false;
      this.history.setEnabled(true);
    }
    // A run that got an id is in the history now, at the top: the list is read again to show it, marked as shown.
    if (this.output.executionId) await this.history.refresh(this.output.executionId);
  }

  /** A job from the history, drawn where a run's output goes, as a run that has just ended would be. */
  private async showExecution(id: string): Promise<void> {
    if (this.running) return;
    this.viewing.abort();
    const viewing = (this.viewing = new AbortController());
    this.history.select(id);
    this.output.reset('loading');
    try {
      const result = await this.api.get<RunResult>(executionPath({ kind: 'job' }, id), viewing.signal);
      if (!viewing.signal.aborted) replayResult(result, this.output);
    } catch (error) {
      if (viewing.signal.aborted) return;
      this.output.failure(describe(error), 'unavailable');
      // Gone since the list was read (results expire): the list is read again, without it.
      if (error instanceof ApiError && error.status === 404) await this.history.refresh(undefined);
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
