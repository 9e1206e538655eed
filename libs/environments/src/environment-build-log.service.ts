import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { RedisChannels, RedisConnection, WakeUp } from '@sps/redis';
import type { EnvironmentStatus } from './environment-spec';

export type BuildLogEntry = { id: string; line: string } | { id: string; end: EnvironmentStatus; error: string | null };

const FOLLOW_BLOCK_MS = 5000;
const MAX_LINE_CHARS = 4000;

const toEntry = (id: string, fields: string[]): BuildLogEntry => {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]] = fields[i + 1];
  if (map.end !== undefined) return { id, end: map.end as EnvironmentStatus, error: map.error || null };
  return { id, line: map.line ?? '' };
};

/**
 * A build's log is one Redis stream: workers append lines and finally an end
 * entry; the API reads its tail for GET and follows it for Server-Sent
 * Events. A stream, unlike pub/sub, lets a reader that arrives late replay
 * everything and then wait for more without missing a line in between.
 * Writers also publish on the build's channel, so a follower reads the stream
 * only when there is something new: followers share the process's one
 * pub/sub connection and its one client, never a connection each.
 */
@Injectable()
export class EnvironmentBuildLog {
  private readonly maxLines: number;

  constructor(
    private readonly redis: RedisConnection,
    private readonly channels: RedisChannels,
    config: ConfigService<AppConfig, true>,
  ) {
    this.maxLines = config.get('environments.logMaxLines', { infer: true });
  }

  async append(buildId: string, lines: string[]): Promise<void> {
    if (!lines.length) return;
    const key = this.keyOf(buildId);
    const pipeline = this.redis.client.pipeline();
    for (const line of lines) {
      pipeline.xadd(key, 'MAXLEN', '~', String(this.maxLines), '*', 'line', line.slice(0, MAX_LINE_CHARS));
    }
    pipeline.publish(this.channelOf(buildId), 'log');
    await pipeline.exec();
  }

  async end(buildId: string, status: EnvironmentStatus, error: string | null): Promise<void> {
    await this.redis.client
      .pipeline()
      .xadd(this.keyOf(buildId), '*', 'end', status, 'error', error ?? '')
      .publish(this.channelOf(buildId), 'end')
      .exec();
  }

  /** The last `count` lines, oldest first. */
  async tail(buildId: string, count: number): Promise<string[]> {
    const entries = await this.redis.client.xrevrange(this.keyOf(buildId), '+', '-', 'COUNT', count + 1);
    return entries
      .map(([id, fields]) => toEntry(id, fields))
      .filter((entry): entry is { id: string; line: string } => 'line' in entry)
      .slice(0, count)
      .reverse()
      .map((entry) => entry.line);
  }

  async remove(...buildIds: string[]): Promise<void> {
    if (buildIds.length) await this.redis.client.del(...buildIds.map((id) => this.keyOf(id)));
  }

  /**
   * Every entry after `afterId` ('0' for all), then new ones as they come,
   * until the end entry or `signal` aborts. Yields `null` whenever nothing
   * came for a while, so callers can send a keep-alive or check for a reason
   * to stop. Reads are woken by the build's channel, and done on the shared
   * client: a follower holds no connection of its own.
   */
  async *follow(buildId: string, afterId: string, signal: AbortSignal): AsyncGenerator<BuildLogEntry | null> {
    const key = this.keyOf(buildId);
    const wakeUp = new WakeUp();
    const stop = await this.channels.listen(this.channelOf(buildId), wakeUp.ring);
    signal.addEventListener('abort', wakeUp.ring);
    try {
      let last = afterId;
      while (!signal.aborted) {
        wakeUp.clear(); // before the read: anything published from here on is read next time round
        const reply = await this.redis.client.xread('COUNT', 500, 'STREAMS', key, last);
        if (reply) {
          for (const [, entries] of reply) {
            for (const [id, fields] of entries) {
              last = id;
              const entry = toEntry(id, fields);
              yield entry;
              if ('end' in entry) return;
            }
          }
          continue;
        }
        if (!(await wakeUp.wait(FOLLOW_BLOCK_MS))) yield null;
      }
    } finally {
      signal.removeEventListener('abort', wakeUp.ring);
      stop();
    }
  }

  /** Published on whenever lines or the end are appended. */
  private channelOf(buildId: string): string {
    return this.redis.key('env-log', buildId, 'appended');
  }

  /** Stream of one build's log lines, ending with an entry that says how the build ended. */
  private keyOf(buildId: string): string {
    return this.redis.key('env-log', buildId);
  }
}
