import type { ApiClient } from './api.client';
import { isFinal, type RunRequest, type RunResult } from './api.types';
import type { RunEvents, RunTransport } from './run.transport';

/**
 * Runs with `POST /v1/executions?wait=true`: the output arrives all at once,
 * with the result. Past the server's wait cap the answer is 202 with the id;
 * then `GET /v1/executions/:id?wait=true` is repeated until the result is final,
 * reporting each status it sees.
 */
export class WaitRunTransport implements RunTransport {
  constructor(private readonly api: ApiClient) {}

  async run(request: RunRequest, events: RunEvents, signal?: AbortSignal): Promise<void> {
    let { body: result } = await this.api.request<RunResult>('POST', '/v1/executions?wait=true', request, signal);
    while (!isFinal(result.status)) {
      events.status(result.status);
      result = await this.api.get<RunResult>(`/v1/executions/${encodeURIComponent(result.id)}?wait=true`, signal);
    }
    if (result.stdout) events.stdout(result.stdout);
    if (result.stderr) events.stderr(result.stderr);
    for (const display of result.displays ?? []) events.display(display);
    events.result(result);
  }
}
