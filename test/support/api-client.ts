export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export const baseUrl = (): string => {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error('E2E_BASE_URL is not set: the e2e global setup did not run');
  return url;
};

export const FINAL = ['succeeded', 'failed', 'timeout', 'oom', 'output_limit', 'cancelled', 'error'];
export const isFinal = (result: any): boolean => FINAL.includes(result?.status);

/** A client for one API: the shared stack's by default, or a test's own stack. */
export const apiClient = (base: () => string) => {
  const request = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 120_000,
  ): Promise<HttpResponse<T>> => {
    const response = await fetch(`${base()}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      // A hang is a failure too: no request may wait forever.
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  };

  /** Runs code synchronously and returns the final result; fails the test on anything but 200. */
  const run = async (code: string, extra: Record<string, unknown> = {}): Promise<any> => {
    const response = await request('POST', '/v1/executions?wait=true', { code, ...extra });
    if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  };

  const submit = async (code: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const response = await request('POST', '/v1/executions', { code, ...extra });
    if (response.status !== 202) throw new Error(`expected 202, got ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body.id;
  };

  /** Polls until `predicate` holds for the execution, or fails after `timeoutMs`. */
  const pollUntil = async (id: string, predicate: (result: any) => boolean, timeoutMs = 30_000): Promise<any> => {
    const deadline = Date.now() + timeoutMs;
    let last: any;
    while (Date.now() < deadline) {
      last = (await request('GET', `/v1/executions/${id}`)).body;
      if (predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`execution ${id} never matched; last seen: ${JSON.stringify(last)}`);
  };

  /**
   * Follows a Server-Sent Events stream until an event named `until` arrives
   * (kept) or the server ends the stream; fails after `timeoutMs`.
   */
  const readEvents = async (
    path: string,
    { until = 'end', timeoutMs = 120_000, headers = {} }: { until?: string; timeoutMs?: number; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; headers: Headers; events: ServerSentEvent[] }> => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    const events: ServerSentEvent[] = [];
    try {
      const response = await fetch(`${base()}${path}`, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
      if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
        return { status: response.status, headers: response.headers, events };
      }
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const event = parseEvent(buffer.slice(0, boundary));
          buffer = buffer.slice(boundary + 2);
          if (!event) continue;
          events.push(event);
          if (event.event === until) {
            abort.abort();
            return { status: response.status, headers: response.headers, events };
          }
        }
      }
      return { status: response.status, headers: response.headers, events };
    } catch (error) {
      if (abort.signal.aborted && !events.some((e) => e.event === until)) {
        throw new Error(`no "${until}" event from ${path} within ${timeoutMs} ms; got ${events.length} events, last: ${JSON.stringify(events.at(-1))}`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  return { request, run, submit, pollUntil, readEvents };
};

export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

/** One event block of a stream; null for a block with no data (a comment). */
const parseEvent = (block: string): ServerSentEvent | null => {
  const event: ServerSentEvent = { event: 'message', data: '' };
  let hasData = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
    else if (field === 'data') {
      event.data = hasData ? `${event.data}\n${value}` : value;
      hasData = true;
    }
  }
  return hasData ? event : null;
};

export const { request, run, submit, pollUntil, readEvents } = apiClient(baseUrl);
