import { BadRequestException, Injectable } from '@nestjs/common';
import { ExecutionEvents, ExecutionResult, isFinalStatus } from '@sps/queue';
import { RedisChannels, WakeUp, withRedis } from '@sps/redis';
import type { FastifyReply } from 'fastify';
import { once } from 'node:events';
import { startEventStream } from '../http/event-stream.start';
import { EventStreamSlots } from '../http/event-stream.slots';

/** What an event stream follows: a job or a session cell. */
export interface FollowedExecution {
  id: string;
  /** Its result as GET answers it; throws the 404 when the caller may not see it. */
  read(): Promise<ExecutionResult>;
  /** Calls `onChange` whenever its result may have changed, until the answer is called; resolves once listening. */
  watch(onChange: () => void): Promise<() => void>;
  /** Response headers beyond the stream's own. */
  headers?: Record<string, string>;
}

const KEEP_ALIVE_MS = 15_000;
const PAGE = 200;
const LAST_EVENT_ID = /^\d{1,15}$/;

/**
 * `Last-Event-ID` (or `?lastEventId=`): the id of the last event the client
 * has; absent, the stream starts from the first.
 */
export const parseLastEventId = (header: string | undefined, query: string | undefined): number => {
  const value = header ?? query;
  if (value === undefined || value === '') return 0;
  if (!LAST_EVENT_ID.test(value.trim()))
    throw new BadRequestException(['Last-Event-ID must be a non-negative integer: the id of the last event received']);
  return Number(value.trim());
};

/**
 * Serves an execution's events as Server-Sent Events, from any API replica:
 * - event 1 is `status` queued (every execution was queued once; it is not stored);
 * - then the entries of its stream in Redis (ExecutionEvents), entry n as event n + 1:
 *   `status` running, `stdout`, `stderr`, `display`, as its worker wrote them
 *   (output from its bytes while it runs, from the stored result after);
 * - last, once its result is final, `result`: the result as GET answers it, as
 *   the event after the last entry. The stream ends after it.
 * The worker writes every entry before the result, so reading the entries after
 * seeing a final result finds them all: nothing is lost, and ids never change.
 * A client that resumes past the result gets 204, which tells an EventSource
 * not to reconnect. Followers are woken by the entries' channel and the
 * result's, share the process's connections, and send a keep-alive comment
 * when nothing happened for KEEP_ALIVE_MS.
 */
@Injectable()
export class ExecutionEventStreams {
  constructor(
    private readonly events: ExecutionEvents,
    private readonly channels: RedisChannels,
    private readonly slots: EventStreamSlots,
  ) {}

  /**
   * Takes one of the process's stream slots for `keyId` (429/503 otherwise),
   * then `open` says what to follow (and may throw its 4xx), then serves it.
   */
  async stream(
    keyId: string,
    lastEventId: number,
    reply: FastifyReply,
    open: () => Promise<FollowedExecution>,
  ): Promise<void> {
    const release = this.slots.take(keyId);
    try {
      await this.serve(await open(), lastEventId, reply);
    } finally {
      release();
    }
  }

  private async serve(target: FollowedExecution, lastEventId: number, reply: FastifyReply): Promise<void> {
    let resultChanged = false;
    const wakeUp = new WakeUp();
    const poke = (result: boolean) => {
      resultChanged ||= result;
      wakeUp.ring();
    };
    const stops: (() => void)[] = [];
    const closed = new AbortController();
    try {
      // Listening before the first read: nothing appended or finished from here on goes unheard.
      stops.push(await withRedis(() => this.channels.listen(this.events.channel(target.id), (m) => poke(m === null))));
      stops.push(await withRedis(() => target.watch(() => poke(true))));
      let result = await target.read(); // a 404 is answered here, before the stream starts
      resultChanged = false;
      // The place in the stream after which to read: the client's, or the last entry sent.
      let after = Math.max(lastEventId - 1, 0);
      if (isFinalStatus(result.status) && lastEventId >= (await withRedis(() => this.events.lastSeq(target.id))) + 2) {
        await reply.code(204).send(); // it has had the result already
        return;
      }
      const raw = startEventStream(reply, { 'x-content-type-options': 'nosniff', ...target.headers });
      raw.once('close', () => {
        closed.abort();
        wakeUp.ring();
      });
      const write = async (text: string) => {
        // A slow reader holds its own socket's buffer, never more: the next event waits for it to drain.
        if (!raw.write(text) && !closed.signal.aborted) await once(raw, 'drain', { signal: closed.signal });
      };
      // Every field is one line of JSON: no line break can end an event early.
      const send = (id: number, event: string, data: string) => write(`id: ${id}\nevent: ${event}\ndata: ${data}\n\n`);
      if (lastEventId < 1) await send(1, 'status', JSON.stringify({ status: 'queued', id: target.id }));
      while (!closed.signal.aborted) {
        wakeUp.clear();
        let final = isFinalStatus(result.status);
        if (resultChanged && !final) {
          result = await target.read();
          final = isFinalStatus(result.status);
        }
        resultChanged = false;
        // Read after the result: every entry written before a final result is read here.
        for (let page = PAGE; page === PAGE && !closed.signal.aborted;) {
          const entries = await this.events.after(target.id, after, PAGE);
          for (const entry of entries) {
            let data: string;
            if ('data' in entry) data = entry.data;
            else {
              if (entry.text === undefined && !final) {
                // Its bytes went once the result was stored: the text is the result's, at the entry's range.
                result = await target.read();
                final = isFinalStatus(result.status);
              }
              data = JSON.stringify({ text: entry.text ?? result[entry.event].slice(...entry.range) });
            }
            await send(entry.seq + 1, entry.event, data);
            after = entry.seq;
          }
          page = entries.length;
        }
        if (final) {
          await send(after + 2, 'result', JSON.stringify(result));
          break;
        }
        if (!(await wakeUp.wait(KEEP_ALIVE_MS))) {
          await write(': keep-alive\n\n');
          resultChanged = true; // a look now and then, in case a message was lost
        }
      }
    } catch (error) {
      // Before the stream started, the error is the answer (a 404); after, the stream just ends and can be resumed.
      if (!reply.sent) throw error;
    } finally {
      for (const stop of stops) stop();
      if (reply.sent && !reply.raw.writableEnded) reply.raw.end();
    }
  }
}
