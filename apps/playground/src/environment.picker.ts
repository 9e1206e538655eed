import type { ApiClient } from './api.client';
import type { EnvironmentSummary } from './api.types';
import { el } from './dom';

const REFRESH_WHILE_BUILDING_MS = 5000;

/**
 * The environment <select>, filled from GET /v1/environments with each one's
 * status. While one is building it looks again every few seconds, so the
 * status changes to ready on its own; one timer at most.
 */
export class EnvironmentPicker {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly select: HTMLSelectElement,
    private readonly api: ApiClient,
  ) {}

  get value(): string {
    return this.select.value || 'default';
  }

  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const environments = await this.api.get<EnvironmentSummary[]>('/v1/environments');
    const chosen = this.select.value || 'default';
    this.select.replaceChildren(
      ...environments.map(({ name, status, error }) =>
        el('option', { text: `${name} (${status})`, attrs: { value: name, ...(error ? { title: error } : {}) } }),
      ),
    );
    this.select.value = environments.some((e) => e.name === chosen) ? chosen : 'default';
    if (environments.some((e) => e.status === 'building')) {
      this.timer = setTimeout(() => void this.refresh().catch(() => undefined), REFRESH_WHILE_BUILDING_MS);
    }
  }

  /** When the key changes or is refused: nothing of the old key's stays on screen. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.select.replaceChildren();
  }
}
