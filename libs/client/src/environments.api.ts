import type { Client } from 'openapi-fetch';
import { call, type CallOptions } from './api-call';
import type { Environment, EnvironmentAccepted, EnvironmentDetail, EnvironmentSpec } from './api-types';
import { eventStreamHeaders, readResumableEventStream, streamOf } from './event-stream.resumer';
import type { paths } from './generated/openapi';

/** What following a build log yields: the build it follows, each log line, and how it ended. */
export type BuildLogEvent =
  | { type: 'build'; name: string; buildId: string; specHash: string; status: string }
  | { type: 'log'; line: string; id?: string }
  /** `status`: ready or failed, or deleted / superseded when the build was dropped. */
  | { type: 'end'; status: string; error: string | null };

export interface FollowOptions extends CallOptions {
  /** Resume after this log line id (a `log` event's id) instead of from the start. */
  lastEventId?: string;
}

/** Named images that jobs run in. Creating and removing need an admin key. */
export class EnvironmentsApi {
  constructor(
    private readonly http: Client<paths>,
    private readonly baseUrl: string,
  ) {}

  /**
   * Creates an environment, or a new version of one, and starts its build:
   * status `building`. The same spec again starts nothing and answers its
   * current status. Follow the build with `follow(name)`.
   */
  async create(spec: EnvironmentSpec, { signal }: CallOptions = {}): Promise<EnvironmentAccepted> {
    return (await call(this.baseUrl, this.http.POST('/v1/environments', { body: spec, signal }))).data;
  }

  async list({ signal }: CallOptions = {}): Promise<Environment[]> {
    return (await call(this.baseUrl, this.http.GET('/v1/environments', { signal }))).data;
  }

  /** One environment with the tail of its build log, its Dockerfile and the workers that have its image. */
  async get(name: string, { signal }: CallOptions = {}): Promise<EnvironmentDetail> {
    return (await call(this.baseUrl, this.http.GET('/v1/environments/{name}', { params: { path: { name } }, signal })))
      .data;
  }

  /** Removes the environment and its images. Conflict for `default` and for a base of others. */
  async remove(name: string, { signal }: CallOptions = {}): Promise<void> {
    await call(this.baseUrl, this.http.DELETE('/v1/environments/{name}', { params: { path: { name } }, signal }));
  }

  /**
   * The latest build's log, live: the lines so far, then each new one, until
   * an `end` event, after which the iteration stops. A connection that drops
   * before the end is resumed from the last line seen.
   */
  async *follow(name: string, { signal, lastEventId }: FollowOptions = {}): AsyncGenerator<BuildLogEvent> {
    const what = `the build log of "${name}"`;
    const open = (resumeFrom: string | undefined) =>
      streamOf(
        this.baseUrl,
        this.http.GET('/v1/environments/{name}/build-log', {
          params: { path: { name } },
          headers: eventStreamHeaders(resumeFrom),
          parseAs: 'stream',
          signal,
        }),
        what,
      );
    for await (const event of readResumableEventStream(open, { lastEventId, signal, what })) {
      const parsed = toBuildLogEvent(event.event, event.data, event.id);
      if (!parsed) continue;
      yield parsed;
      if (parsed.type === 'end') return;
    }
  }
}

const toBuildLogEvent = (event: string, data: string, id: string | undefined): BuildLogEvent | undefined => {
  if (event === 'log') return { type: 'log', line: data, ...(id ? { id } : {}) };
  if (event === 'build')
    return { type: 'build', ...(JSON.parse(data) as Omit<BuildLogEvent & { type: 'build' }, 'type'>) };
  if (event === 'end') {
    const { status, error } = JSON.parse(data) as { status: string; error?: string | null };
    return { type: 'end', status, error: error ?? null };
  }
  return undefined; // an event type this client does not know yet
};
