import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@sps/redis';
import { SessionRecords } from './session-records.store';

/**
 * How the worker answered a file request: what it did, or why not (the
 * runner's refusal, such as "link" or "missing", or "ended" with the session's reason).
 */
export type SessionFileAnswer =
  | { ok: false; refusal: string; reason?: string }
  | { ok: true; size?: number; files?: { path: string; size: number }[]; truncated?: boolean };

// Long enough for the API that asked to read it; it is taken (and so deleted) at once.
const REPLY_TTL_SECONDS = 120;

/**
 * Answers to file requests, from the worker holding the session to the API
 * replica that asked: the answer and the file's bytes under one key, binary,
 * read once and deleted. A message on the sessions channel with the
 * request's id wakes the API.
 */
@Injectable()
export class SessionReplies {
  constructor(
    private readonly redis: RedisConnection,
    private readonly records: SessionRecords,
  ) {}

  private keyOf(requestId: string): string {
    return this.redis.key('session-reply', requestId);
  }

  async put(requestId: string, answer: SessionFileAnswer, content: Buffer = Buffer.alloc(0)): Promise<void> {
    const header = Buffer.from(JSON.stringify(answer));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    await this.redis.client
      .multi()
      .set(this.keyOf(requestId), Buffer.concat([length, header, content]), 'EX', REPLY_TTL_SECONDS)
      .publish(this.records.channel, requestId)
      .exec();
  }

  /** The answer and content, once: null until the worker has answered. */
  async take(requestId: string): Promise<{ answer: SessionFileAnswer; content: Buffer } | null> {
    const raw = await this.redis.client.getdelBuffer(this.keyOf(requestId));
    if (!raw) return null;
    const length = raw.readUInt32BE(0);
    return {
      answer: JSON.parse(raw.subarray(4, 4 + length).toString('utf8')) as SessionFileAnswer,
      content: raw.subarray(4 + length),
    };
  }
}
