import type { ApiClient } from './api.client';
import type { ExecutionHistoryEntry, HistoryPage } from './api.types';
import { byId, el } from './dom';
import { executionsPath } from './run.transport';
import { showStatusBadge } from './status.badge';

/** Entries asked for per page. */
const PAGE_SIZE = 10;
/** "Load more" stops here: the list is for recent runs, and every entry is a few DOM nodes kept for the tab's life. */
const MAX_ENTRIES = 200;

const formatDuration = (ms: number): string =>
  ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** The time of day for today's runs, with the date for older ones; the server's string as it is when it is no date. */
const formatWhen = (iso: string): string => {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  const time = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return when.toDateString() === new Date().toDateString() ? time : `${when.toLocaleDateString()} ${time}`;
};

/**
 * The key's recent jobs (GET /v1/executions), newest first, a page at a time
 * through the API's cursor. Choosing one hands its id to `show`, which draws
 * its full result where a run's output goes. Session cells are not jobs, so
 * they are not in it.
 */
export class HistoryList {
  private readonly list = byId('history-list', HTMLOListElement);
  private readonly more = byId('history-more', HTMLButtonElement);
  private readonly refreshButton = byId('history-refresh', HTMLButtonElement);
  private readonly message = byId('history-message', HTMLElement);
  private cursor: string | null = null;
  /** Aborted when a newer listing replaces the one in flight, so an old page never lands in a new list. */
  private loading = new AbortController();
  private selected: string | undefined;
  private enabled = true;

  constructor(
    private readonly api: ApiClient,
    private readonly show: (id: string) => void,
    private readonly describe: (error: unknown) => string,
  ) {}

  start(): void {
    this.refreshButton.addEventListener('click', () => void this.refresh());
    this.more.addEventListener('click', () => void this.load(this.cursor));
    this.list.addEventListener('click', (event) => {
      const entry = (event.target as Element).closest<HTMLButtonElement>('button[data-id]');
      if (entry && this.enabled && entry.dataset.id) this.show(entry.dataset.id);
    });
    this.clear();
  }

  /** The first page again (after a run, or when the key changes); `selected` is marked as the one shown. */
  refresh(selected = this.selected): Promise<void> {
    this.selected = selected;
    return this.load(null);
  }

  /** When the key changes or is refused: nothing of the old key's stays on screen. */
  clear(): void {
    this.loading.abort();
    this.cursor = null;
    this.selected = undefined;
    this.list.replaceChildren();
    this.more.hidden = true;
    this.more.disabled = false;
    this.refreshButton.disabled = false;
    this.say('');
  }

  /** Marks the entry whose result is shown (none for a run that is not in the list yet). */
  select(id: string | undefined): void {
    this.selected = id;
    for (const button of this.buttons()) button.setAttribute('aria-current', String(button.dataset.id === id));
  }

  /** While a run draws its output, choosing an entry would draw over it: the entries wait. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    for (const button of this.buttons()) button.disabled = !enabled;
  }

  private async load(cursor: string | null): Promise<void> {
    this.loading.abort();
    const loading = (this.loading = new AbortController());
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (cursor) query.set('cursor', cursor);
    this.more.disabled = true;
    this.refreshButton.disabled = true;
    try {
      const page = await this.api.get<HistoryPage>(`${executionsPath({ kind: 'job' })}?${query}`, loading.signal);
      if (loading.signal.aborted) return;
      const entries = page.items.map((item) => el('li', {}, [this.entry(item)]));
      if (cursor) this.list.append(...entries);
      else this.list.replaceChildren(...entries);
      const full = this.list.childElementCount >= MAX_ENTRIES;
      this.cursor = page.nextCursor;
      this.more.hidden = !page.nextCursor || full;
      this.say(
        full && page.nextCursor
          ? `The list stops at ${MAX_ENTRIES} runs.`
          : this.list.childElementCount
            ? ''
            : 'No runs yet with this key.',
      );
    } catch (error) {
      if (!loading.signal.aborted) this.say(`The history could not be read. ${this.describe(error)}`);
    } finally {
      if (!loading.signal.aborted) {
        this.more.disabled = false;
        this.refreshButton.disabled = false;
      }
    }
  }

  private entry(item: ExecutionHistoryEntry): HTMLButtonElement {
    const badge = el('span', { className: 'badge' });
    showStatusBadge(badge, item.status);
    const button = el(
      'button',
      {
        className: 'history-entry',
        attrs: {
          type: 'button',
          title: `${item.id}, created ${item.createdAt}`,
          'aria-current': String(item.id === this.selected),
        },
      },
      [
        badge,
        el('span', { className: 'history-environment', text: item.environment }),
        el('time', {
          className: 'history-time',
          text: formatWhen(item.createdAt),
          attrs: { datetime: item.createdAt },
        }),
        el('span', {
          className: 'history-duration',
          text: item.durationMs === undefined ? '' : formatDuration(item.durationMs),
        }),
      ],
    );
    button.dataset.id = item.id;
    button.disabled = !this.enabled;
    return button;
  }

  private buttons(): HTMLButtonElement[] {
    return [...this.list.querySelectorAll<HTMLButtonElement>('button[data-id]')];
  }

  private say(message: string): void {
    this.message.textContent = message;
  }
}
