import type { ApiClient } from './api.client';
import { isFinal, type RunResult } from './api.types';
import {
  executionPath,
  executionsPath,
  replayResult,
  type ExecutionsPlace,
  type RunEvents,
  type RunTarget,
  type RunTransport,
} from './run.transport';

/**
 * Runs with `POST …/executions?wait=true`: the output arrives all at once,
 * with the result. Past the server's wait cap the answer is 202 with the id;
 * then `GET …/executions/:id?wait=true` is repeated until the result is final,
 * reporting each status it sees. Jobs and session cells differ only in path.
 */
export class WaitRunTransport implements RunTransport {
  constructor(private readonly api: ApiClient) {}

  async run(target: RunTarget, events: RunEvents, signal?: AbortSignal): Promise<void> {
    const { body } = await this.api.request<RunResult>('POST', `${executionsPath(target)}?wait=true`, target.request, {
      signal,
    });
    replayResult(await this.untilFinal(target, body, events, signal), events);
  }

  /** The result once it is final: read again with `?wait=true` while it is not, each status it passes through reported. */
  async untilFinal(
    place: ExecutionsPlace,
    result: RunResult,
    events: Pick<RunEvents, 'status'>,
    signal?: AbortSignal,
  ): Promise<RunResult> {
    while (!isFinal(result.status)) {
      events.status(result.status);
      result = await this.api.get<RunResult>(`${executionPath(place, result.id)}?wait=true`, signal);
    }
    return result;
  }
}
