import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  type ApiResponseOptions,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';

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

/** The /docs of an event route (a job's or a cell's): its stream, how to resume it, and its refusals. */
export const ApiEventStream = (summary: string, notFound: string) =>
  applyDecorators(
    ApiOperation({ summary, description: EXECUTION_EVENTS_DESCRIPTION }),
    ApiProduces('text/event-stream'),
    ApiQuery({
      name: 'lastEventId',
      required: false,
      description: 'The id of the last event received, as the Last-Event-ID header sends it; the header wins.',
    }),
    ApiResponse(EXECUTION_EVENTS_RESPONSE),
    ApiNoContentResponse({ description: 'Last-Event-ID is the result or past it: there is nothing more to send.' }),
    ApiBadRequestResponse({ description: 'Last-Event-ID is not a non-negative integer.' }),
    ApiNotFoundResponse({ description: notFound }),
    ApiTooManyRequestsResponse({
      description: 'The key holds API_MAX_EVENT_STREAMS_PER_KEY streams open here already.',
    }),
    ApiServiceUnavailableResponse({
      description: 'This API process holds API_MAX_EVENT_STREAMS streams open already.',
    }),
  );
