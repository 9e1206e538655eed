import { readExecutionEvents, type ExecutionEvent } from './execution-events.reader';

const bodyOf = (text: string): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });

const sse = (id: number, event: string, data: unknown) =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

describe('readExecutionEvents', () => {
  it('types each event, skips types it does not know, and ends after the result', async () => {
    const result = { id: 'e1', status: 'succeeded', stdout: 'a\n' };
    const display = { mime: 'image/png', data: 'iVBORw0KGgo=' };
    const body = [
      sse(1, 'status', { status: 'queued', id: 'e1' }),
      sse(2, 'status', { status: 'running', workerId: 'w1' }),
      sse(3, 'stdout', { text: 'a\n' }),
      sse(4, 'progress', { percent: 50 }),
      sse(5, 'stderr', { text: 'warn\n' }),
      sse(6, 'display', display),
      sse(7, 'result', result),
      sse(8, 'stdout', { text: 'after the end' }),
    ].join('');
    const events: ExecutionEvent[] = [];
    for await (const event of readExecutionEvents(() => Promise.resolve(bodyOf(body)), { what: 'x' }))
      events.push(event);
    expect(events).toEqual([
      { eventId: '1', type: 'status', status: 'queued' },
      { eventId: '2', type: 'status', status: 'running', workerId: 'w1' },
      { eventId: '3', type: 'stdout', text: 'a\n' },
      { eventId: '5', type: 'stderr', text: 'warn\n' },
      { eventId: '6', type: 'display', display },
      { eventId: '7', type: 'result', result },
    ]);
  });
});
