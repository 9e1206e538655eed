import { Injectable } from '@nestjs/common';
import { EnvironmentBuildLog, EnvironmentCatalogue, EnvironmentRecord } from '@sps/environments';
import type { FastifyReply } from 'fastify';
import { startEventStream } from '../http/event-stream.start';
import { EventStreamSlots } from '../http/event-stream.slots';

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * Serves a build log as Server-Sent Events on Fastify's raw response: the
 * lines so far, then new ones as the worker writes them to Redis, and an
 * `end` event. While nothing comes, it sends a keep-alive comment and checks
 * the catalogue, so a build that was superseded or whose log is gone still
 * ends the stream. It takes one of the process's event-stream slots.
 */
@Injectable()
export class BuildLogEvents {
  constructor(
    private readonly buildLog: EnvironmentBuildLog,
    private readonly catalogue: EnvironmentCatalogue,
    private readonly slots: EventStreamSlots,
  ) {}

  async stream(
    record: EnvironmentRecord,
    lastEventId: string | undefined,
    reply: FastifyReply,
    keyId: string,
  ): Promise<void> {
    const release = this.slots.take(keyId);
    try {
      await this.serve(record, lastEventId, reply);
    } finally {
      release();
    }
  }

  private async serve(record: EnvironmentRecord, lastEventId: string | undefined, reply: FastifyReply): Promise<void> {
    const { name } = record;
    const { buildId, specHash } = record.latest;
    const raw = startEventStream(reply);
    // The response closes when the client goes away: that stops the follower and frees its Redis connection.
    const closed = new AbortController();
    raw.once('close', () => closed.abort());
    const send = (event: string, data: string, id?: string) => {
      // One line per event: a line break inside would end the event early.
      raw.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${data.replace(/[\r\n]+/g, ' ')}\n\n`);
    };
    send('build', JSON.stringify({ name, buildId, specHash, status: record.latest.status }));
    try {
      const from = lastEventId && STREAM_ID.test(lastEventId) ? lastEventId : '0';
      for await (const entry of this.buildLog.follow(buildId, from, closed.signal)) {
        if (entry === null) {
          raw.write(': keep-alive\n\n');
          const ending = await this.endingFromCatalogue(name, buildId);
          if (ending) {
            send('end', JSON.stringify(ending));
            break;
          }
        } else if ('line' in entry) {
          send('log', entry.line, entry.id);
        } else {
          send('end', JSON.stringify({ status: entry.end, error: entry.error }), entry.id);
        }
      }
    } catch {
      // Redis went away mid-stream: the client sees the stream end and can reconnect with Last-Event-ID.
    } finally {
      raw.end();
    }
  }

  /** An end to report when the log itself has none: the build finished (its end entry was read or lost), was superseded, or the environment is gone. */
  private async endingFromCatalogue(
    name: string,
    buildId: string,
  ): Promise<{ status: string; error: string | null } | null> {
    const record = await this.catalogue.get(name);
    if (!record) return { status: 'deleted', error: `environment "${name}" was deleted` };
    if (record.latest.buildId !== buildId)
      return { status: 'superseded', error: 'a newer version of the spec was submitted' };
    if (record.latest.status === 'building') return null;
    return { status: record.latest.status, error: record.latest.error };
  }
}
