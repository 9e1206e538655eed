import { adminKey, baseUrl } from './api-client';

/** One event as a client saw it: its fields, its data parsed, and when it arrived (the client's clock). */
export interface ReceivedEvent {
  id: number;
  event: string;
  data: any;
  arrivedAt: number;
}

export interface FollowedStream {
  status: number;
  headers: Headers;
  events: ReceivedEvent[];
  /** Comment lines (keep-alives) seen. */
  comments: number;
  /** The server ended the stream (rather than the client stopping it). */
  endedByServer: boolean;
  /** The body of an answer that was not an event stream. */
  body?: any;
}

/**
 * Follows a Server-Sent Events stream, parsed as the SSE spec says (lines end
 * at CR, LF or CRLF), until the server ends it, `stopWhen` says to stop (the
 * connection is then dropped, as a client that goes away), or `timeoutMs`.
 */
export const followEvents = async (
  path: string,
  {
    method = 'GET',
    body,
    headers = {},
    key = adminKey(),
    stopWhen = () => false,
    timeoutMs = 120_000,
  }: {
    method?: string;
    body?: unknown;
    headers?: Record<string, string>;
    key?: string;
    stopWhen?: (events: ReceivedEvent[]) => boolean;
    timeoutMs?: number;
  } = {},
): Promise<FollowedStream> => {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`${path}: no end within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: {
        accept: 'text/event-stream',
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: abort.signal,
    });
    const followed: FollowedStream = {
      status: response.status,
      headers: response.headers,
      events: [],
      comments: 0,
      endedByServer: false,
    };
    if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
      const text = await response.text();
      followed.body = text ? JSON.parse(text) : undefined;
      return followed;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    let fields: Record<string, string> = {};
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        followed.endedByServer = true;
        return followed;
      }
      buffer += decoder.decode(value, { stream: true });
      let match: RegExpExecArray | null;
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      while ((match = /\r\n|\r(?!$)|\n/.exec(buffer))) {
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (line === '') {
          if (fields.data !== undefined) {
            followed.events.push({
              id: Number(fields.id),
              event: fields.event ?? 'message',
              data: JSON.parse(fields.data),
              arrivedAt: Date.now(),
            });
            if (stopWhen(followed.events)) {
              await reader.cancel();
              return followed;
            }
          }
          fields = {};
        } else if (line.startsWith(':')) {
          followed.comments++;
        } else {
          const colon = line.indexOf(':');
          const name = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          fields[name] = name === 'data' && fields.data !== undefined ? `${fields.data}\n${text}` : text;
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
};

/** The text of all `stdout` (or `stderr`) events, joined. */
export const textOf = (events: ReceivedEvent[], stream: 'stdout' | 'stderr' = 'stdout'): string =>
  events
    .filter((e) => e.event === stream)
    .map((e) => e.data.text as string)
    .join('');
