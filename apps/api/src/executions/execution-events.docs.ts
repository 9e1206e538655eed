import type { ApiResponseOptions } from '@nestjs/swagger';

/** How the event routes describe their stream in /docs. */
export const EXECUTION_EVENTS_DESCRIPTION = [
  'Server-Sent Events (`text/event-stream`). Each event has an `id` (1, 2, 3 ... per execution), an `event` type and one `data:` line of JSON:',
  '- `status`: `{"status": "queued", "id"}` (always event 1), then `{"status": "running", "workerId"}` when a worker starts it;',
  '- `stdout`, `stderr`: `{"text"}`, the program\'s output as it writes it (UTF-8; invalid bytes replaced by U+FFFD, as in the result), held at most about 50 ms; each stream up to the execution\'s `outputBytes`, as in the result;',
  '- `display`: `{"mime", "data"}`, an item of the result\'s `displays`, as it is accepted;',
  '- `result`: the whole result, exactly as `GET` answers it. The stream ends after it.',
  'Send `Last-Event-ID` (or `?lastEventId=`) to resume after that event: nothing is lost or repeated; past the `result`, the answer is 204. ' +
    'A subscriber that comes late gets everything from the start, as long as the result is kept. Comments (`: keep-alive`) are sent while nothing happens. ' +
    'One key holds at most API_MAX_EVENT_STREAMS_PER_KEY streams open on an API process (429), and the process API_MAX_EVENT_STREAMS (503).',
].join('\n');

const EXAMPLE = [
  'id: 1\nevent: status\ndata: {"status":"queued","id":"4b0c…"}',
  'id: 2\nevent: status\ndata: {"status":"running","workerId":"host-1234-ab12cd"}',
  'id: 3\nevent: stdout\ndata: {"text":"epoch 1\\n"}',
  'id: 4\nevent: result\ndata: {"id":"4b0c…","status":"succeeded","exitCode":0,"stdout":"epoch 1\\n",…}',
].join('\n\n');

/** The 200 answer of an event route. */
export const EXECUTION_EVENTS_RESPONSE: ApiResponseOptions = {
  status: 200,
  description: 'The event stream; see the description for its events.',
  content: { 'text/event-stream': { schema: { type: 'string' }, example: `${EXAMPLE}\n\n` } },
};
