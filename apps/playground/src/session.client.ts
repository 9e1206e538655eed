import { ApiError, type ApiClient } from './api.client';
import type { SessionRequest, SessionView } from './api.types';

const sessionPath = (id: string): string => `/v1/sessions/${encodeURIComponent(id)}`;

/** Starts, reads and closes sessions; their cells go through the RunTransport, like jobs. */
export class SessionClient {
  constructor(private readonly api: ApiClient) {}

  /** Answers once the session is ready (201), which takes a container start when none waits in the pool. */
  async create(request: SessionRequest, signal?: AbortSignal): Promise<SessionView> {
    return (await this.api.request<SessionView>('POST', '/v1/sessions', request, { signal })).body;
  }

  get(id: string): Promise<SessionView> {
    return this.api.get<SessionView>(sessionPath(id));
  }

  /**
   * Closes it (its container goes). A session already gone (410) or
   * forgotten (404) is as closed as it gets. `keepalive` lets the request
   * outlive the page, for a tab that is being closed.
   */
  async close(id: string, { keepalive = false } = {}): Promise<void> {
    try {
      await this.api.request('DELETE', sessionPath(id), undefined, { keepalive });
    } catch (error) {
      if (!(error instanceof ApiError && (error.status === 404 || error.status === 410))) throw error;
    }
  }
}
