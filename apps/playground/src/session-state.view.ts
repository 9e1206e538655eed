import type { SessionView } from './api.types';
import { byId, formatBytes } from './dom';
import { showStatusBadge } from './status.badge';

/**
 * Where the page's session stands:
 * - none: not started yet (the first cell run starts one);
 * - starting: POST /v1/sessions is under way;
 * - open: ready or busy, with the server's view of it;
 * - gone: closed, expired, dead or lost; `message` says why, and a new one can be started.
 */
export type SessionState =
  | { phase: 'none' }
  | { phase: 'starting'; environment: string }
  | { phase: 'open'; session: SessionView }
  | { phase: 'gone'; message: string; session?: SessionView };

const TICK_MS = 1000;

const clock = (iso: string): string =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

const countdown = (ms: number): string => {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes} min ${String(seconds % 60).padStart(2, '0')} s` : `${seconds} s`;
};

/** The session panel: a status badge, what the session is, when it expires, and the buttons that fit its state. */
export class SessionStateView {
  private readonly status = byId('session-status', HTMLElement);
  private readonly details = byId('session-details', HTMLElement);
  private readonly id = byId('session-id', HTMLElement);
  private readonly expiry = byId('session-expiry', HTMLElement);
  private readonly notice = byId('session-notice', HTMLElement);
  readonly startButton = byId('session-start', HTMLButtonElement);
  readonly restartButton = byId('session-restart', HTMLButtonElement);
  readonly closeButton = byId('session-close', HTMLButtonElement);
  private ticker: ReturnType<typeof setInterval> | undefined;
  private state: SessionState = { phase: 'none' };

  show(state: SessionState): void {
    this.state = state;
    clearInterval(this.ticker);
    this.ticker = undefined;
    const session = state.phase === 'open' || state.phase === 'gone' ? state.session : undefined;
    showStatusBadge(this.status, session?.status ?? (state.phase === 'starting' ? 'starting' : 'no session'));
    this.details.textContent = session
      ? [
          session.environment,
          `${session.executionCount} cell${session.executionCount === 1 ? '' : 's'} run`,
          session.memoryBytes === null ? '' : `memory ${formatBytes(session.memoryBytes)}`,
        ]
          .filter(Boolean)
          .join(' · ')
      : state.phase === 'starting'
        ? state.environment
        : '';
    // Shown so that the same session can be reached with curl or a client while the page uses it.
    this.id.textContent = session?.id ?? '';
    this.notice.textContent =
      state.phase === 'none'
        ? 'No session yet: running a cell starts one with the environment, limits and input files chosen here.'
        : state.phase === 'starting'
          ? 'Starting a session…'
          : state.phase === 'gone'
            ? `${state.message} Its variables are gone; start a new session to run cells again.`
            : '';
    this.notice.className = `session-notice${state.phase === 'gone' ? ' session-notice-gone' : ''}`;
    this.startButton.textContent = state.phase === 'gone' ? 'Start a new session' : 'Start session';
    this.startButton.hidden = state.phase === 'open' || state.phase === 'starting';
    this.restartButton.disabled = state.phase !== 'open';
    this.closeButton.disabled = state.phase !== 'open';
    this.showExpiry();
    if (state.phase === 'open') this.ticker = setInterval(() => this.showExpiry(), TICK_MS);
  }

  private showExpiry(): void {
    if (this.state.phase !== 'open') {
      this.expiry.textContent = '';
      return;
    }
    const { session } = this.state;
    const now = Date.now();
    // While a cell runs the idle clock is stopped; the server moves idleExpiresAt when the cell ends.
    const idle =
      session.status === 'ready'
        ? `Closes if idle for ${countdown(Date.parse(session.idleExpiresAt) - now)}`
        : 'Running a cell';
    this.expiry.textContent = `${idle}; ends at ${clock(session.expiresAt)} at the latest.`;
  }
}
