import { ApiError, type ApiClient } from './api.client';
import { isOpenSession, type SessionRequest, type SessionStatus } from './api.types';
import { byId } from './dom';
import { NotebookCell } from './notebook-cell.view';
import type { RunTransport } from './run.transport';
import { SessionClient } from './session.client';
import { SessionStateView, type SessionState } from './session-state.view';

/** How often an open session is looked at, to notice one that expired, died or was closed elsewhere. */
const REFRESH_MS = 30_000;
/** Past an expiry the server closes the session on its own clock: look a little after it. */
const EXPIRY_SLACK_MS = 1500;

const SAMPLE_CELLS = ['import statistics\nscores = [3, 1, 4, 1, 5, 9, 2, 6]', 'statistics.mean(scores)'];

export interface NotebookContext {
  api: ApiClient;
  transport: RunTransport;
  /** A new session's body from the page's environment, limits and input files, or what is wrong with them. */
  sessionRequest(): { request: SessionRequest } | { problems: string[] };
  describe(error: unknown): string;
  /** The key was refused: said where the key is entered. */
  keyRefused(error: ApiError): void;
}

/** Why a session ended, as the API says it: in the session's view, or in the body of its 410. */
interface Ending {
  status?: unknown;
  reason?: unknown;
}

/**
 * Session mode: one session (one interpreter) for the page, and cells that run
 * in it one after another, each with its output under it. A cell runs through
 * the same RunTransport as a job, so its output streams in the same way.
 *
 * The session is started by the first cell run (or Start), restarted by
 * closing it and starting another, and closed when the tab goes away, so a
 * reload does not leave one open against the key's session quota.
 */
export class SessionNotebook {
  private readonly sessions: SessionClient;
  private readonly view = new SessionStateView();
  private readonly list = byId('cells', HTMLElement);
  private readonly cells: NotebookCell[] = [];
  private state: SessionState = { phase: 'none' };
  /** Cells run one after another in the order asked, whatever order their requests would reach the API in. */
  private queue: Promise<void> = Promise.resolve();
  /** Aborted when the session ends or is replaced: cells asked for in it stop waiting, and none of them runs in the next one. */
  private generation = new AbortController();
  private starting: Promise<string | undefined> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private lastFocused: NotebookCell | undefined;
  private runsInSession = 0;

  constructor(private readonly context: NotebookContext) {
    this.sessions = new SessionClient(context.api);
  }

  start(): void {
    this.view.startButton.addEventListener('click', () => void this.startSession());
    this.view.restartButton.addEventListener('click', () => void this.restart());
    this.view.closeButton.addEventListener('click', () => void this.close());
    byId('add-cell', HTMLButtonElement).addEventListener('click', () => this.addCell('').focus());
    byId('run-all', HTMLButtonElement).addEventListener('click', () => this.cells.forEach((cell) => this.run(cell)));
    this.list.addEventListener('focusin', (event) => {
      this.lastFocused = this.cells.find((cell) => cell.contains(event.target)) ?? this.lastFocused;
    });
    // keepalive: the DELETE outlives the tab, so a closed tab does not hold a session until its idle timeout.
    window.addEventListener('pagehide', () => this.discard({ keepalive: true }));
    for (const code of SAMPLE_CELLS) this.addCell(code);
    this.show({ phase: 'none' });
  }

  /** Ctrl/Cmd-Enter: the cell the key was pressed in, else the last one that had the focus. */
  runFocused(target: EventTarget | null): void {
    const cell = this.cells.find((c) => c.contains(target)) ?? this.lastFocused ?? this.cells[0];
    if (cell) this.run(cell);
  }

  /** The key is about to change: the session belongs to the old one, so it is closed with it. */
  discard({ keepalive = false } = {}): void {
    const id = this.sessionId();
    this.endGeneration();
    this.show({ phase: 'none' });
    if (id) void this.sessions.close(id, { keepalive }).catch(() => undefined);
  }

  private addCell(code: string): NotebookCell {
    const cell = new NotebookCell(code, { run: (c) => this.run(c), remove: (c) => this.remove(c) });
    this.cells.push(cell);
    this.list.append(cell.element);
    return cell;
  }

  private remove(cell: NotebookCell): void {
    if (cell.pending) return;
    cell.clear();
    cell.element.remove();
    this.cells.splice(this.cells.indexOf(cell), 1);
    if (this.lastFocused === cell) this.lastFocused = undefined;
    if (!this.cells.length) this.addCell('');
  }

  private run(cell: NotebookCell): void {
    if (cell.pending) return;
    cell.pending = true;
    cell.clear();
    cell.output.reset('waiting');
    const generation = this.generation.signal;
    this.queue = this.queue
      .then(() => this.execute(cell, generation))
      .catch((error: unknown) => cell.output.failure(this.context.describe(error)))
      .finally(() => (cell.pending = false));
  }

  private async execute(cell: NotebookCell, generation: AbortSignal): Promise<void> {
    const id = generation.aborted ? undefined : await this.openSession();
    if (!id || generation.aborted) {
      cell.output.failure(
        generation.aborted
          ? 'Not run: the session it was meant for ended before its turn.'
          : 'Not run: there is no open session (see the session panel).',
      );
      return;
    }
    cell.output.reset('sending');
    // The server's idle clock stops while a cell runs; the panel says so until the session is read again.
    if (this.state.phase === 'open') this.show({ phase: 'open', session: { ...this.state.session, status: 'busy' } });
    try {
      await this.context.transport.run(
        { kind: 'cell', sessionId: id, request: { code: cell.code } },
        cell.output,
        generation,
      );
      cell.numbered(++this.runsInSession);
    } catch (error) {
      if (generation.aborted) {
        cell.output.failure('Stopped waiting: the session was closed or restarted while this cell ran.');
        return;
      }
      cell.output.failure(this.context.describe(error));
      if (error instanceof ApiError && error.status === 401) this.context.keyRefused(error);
      if (error instanceof ApiError && error.status === 410 && this.sessionId() === id)
        this.gone(error.body as Ending, error.describe());
    }
    if (this.sessionId() === id) await this.refresh();
  }

  /** The open session's id; one is started when none has been yet, and none is given for one that ended. */
  private async openSession(): Promise<string | undefined> {
    if (this.state.phase === 'open') return this.state.session.id;
    if (this.state.phase === 'starting') return this.starting;
    if (this.state.phase === 'none') return this.startSession();
    return undefined;
  }

  private startSession(): Promise<string | undefined> {
    if (this.state.phase === 'starting' && this.starting) return this.starting;
    if (this.state.phase === 'open') return Promise.resolve(this.state.session.id);
    const built = this.context.sessionRequest();
    if ('problems' in built) {
      this.show({ phase: 'gone', message: `A session cannot start: ${built.problems.join('; ')}.` });
      return Promise.resolve(undefined);
    }
    const generation = this.generation.signal;
    for (const cell of this.cells) if (!cell.pending) cell.clear();
    this.runsInSession = 0;
    this.show({ phase: 'starting', environment: built.request.environment });
    this.starting = this.sessions.create(built.request, generation).then(
      (session) => {
        if (generation.aborted) {
          void this.sessions.close(session.id).catch(() => undefined);
          return undefined;
        }
        this.show({ phase: 'open', session });
        return session.id;
      },
      (error: unknown) => {
        if (!generation.aborted) {
          this.show({ phase: 'gone', message: `A session could not start. ${this.context.describe(error)}` });
          if (error instanceof ApiError && error.status === 401) this.context.keyRefused(error);
        }
        return undefined;
      },
    );
    return this.starting;
  }

  /** A fresh interpreter: the old session is closed (a cell running in it stops) and a new one started with the page's settings. */
  private async restart(): Promise<void> {
    await this.close('Restarting…');
    await this.startSession();
  }

  private async close(message = 'You closed this session.'): Promise<void> {
    if (this.state.phase !== 'open') return;
    const { session } = this.state;
    this.endGeneration();
    this.show({ phase: 'gone', message, session: { ...session, status: 'closed', reason: 'deleted' } });
    this.view.startButton.disabled = true;
    try {
      await this.sessions.close(session.id);
    } catch (error) {
      this.show({ phase: 'gone', message: `${message} ${this.context.describe(error)}`, session });
    } finally {
      this.view.startButton.disabled = false;
    }
  }

  /** Reads the session again: its expiry moves after each cell, and it may have expired, died or been closed elsewhere. */
  private async refresh(): Promise<void> {
    const id = this.sessionId();
    if (!id || this.state.phase !== 'open') return;
    try {
      const session = await this.sessions.get(id);
      if (this.sessionId() !== id) return;
      if (isOpenSession(session.status)) this.show({ phase: 'open', session });
      else this.gone(session, 'This session has ended.');
    } catch (error) {
      if (this.sessionId() !== id) return;
      if (error instanceof ApiError && error.status === 410) this.gone(error.body as Ending, error.describe());
      else if (error instanceof ApiError && error.status === 404) this.gone({}, 'This session no longer exists.');
      else this.scheduleRefresh(); // the API is unreachable for now: the session may well be fine
    }
  }

  /** The open session has ended: the panel keeps what was known of it, with the status and reason the API gave. */
  private gone(ending: Ending | undefined, fallback: string): void {
    const last = this.state.phase === 'open' ? this.state.session : undefined;
    const status = typeof ending?.status === 'string' ? (ending.status as SessionStatus) : undefined;
    const reason = typeof ending?.reason === 'string' ? ending.reason : null;
    this.endGeneration();
    this.show({
      phase: 'gone',
      message: status ? `This session is ${status}${reason ? ` (${reason})` : ''}.` : fallback,
      session: last && { ...last, status: status ?? 'closed', reason },
    });
  }

  private show(state: SessionState): void {
    this.state = state;
    if (state.phase !== 'starting') this.starting = undefined;
    this.view.show(state);
    this.scheduleRefresh();
  }

  /** One timer at most, and only while a session is open: at the next expiry, or every REFRESH_MS. */
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    if (this.state.phase !== 'open') return;
    const { idleExpiresAt, expiresAt } = this.state.session;
    const untilExpiry = Math.min(Date.parse(idleExpiresAt), Date.parse(expiresAt)) - Date.now() + EXPIRY_SLACK_MS;
    this.refreshTimer = setTimeout(
      () => void this.refresh(),
      Math.max(EXPIRY_SLACK_MS, Math.min(REFRESH_MS, untilExpiry)),
    );
  }

  private endGeneration(): void {
    this.generation.abort();
    this.generation = new AbortController();
  }

  private sessionId(): string | undefined {
    return this.state.phase === 'open' ? this.state.session.id : undefined;
  }
}
