import { asKey, createKey, request, run, submit } from './support/api-client';
import { followEvents, ReceivedEvent, textOf } from './support/event-stream';
import { sessionsOf } from './support/sessions';

/*
 * Live output end to end on the shared stack: real Redis, Docker and runner.
 * Nothing here is timed: what streaming means is checked as an order, the
 * first line's arrival against the end of the program its worker recorded.
 */

/** Ten lines, one every 200 ms: about two seconds of a program that shows its progress. */
const TICKER = 'import time\nfor i in range(10):\n    print(f"tick {i}")\n    time.sleep(0.2)\n';
const TICKS = Array.from({ length: 10 }, (_, i) => `tick ${i}\n`).join('');

/** Ids are 1, 2, 3 ... with no gap and no repeat. */
const expectConsecutiveIds = (events: ReceivedEvent[]) =>
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));

describe('execution events (Server-Sent Events)', () => {
  it('shows the output while the program runs: status, each line before the program ends, then the result', async () => {
    const id = await submit(TICKER);
    const stream = await followEvents(`/v1/executions/${id}/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.endedByServer).toBe(true);
    const { events } = stream;
    expectConsecutiveIds(events);
    expect(events[0]).toMatchObject({ event: 'status', data: { status: 'queued', id } });
    const running = events.find((e) => e.event === 'status' && e.data.status === 'running');
    const result = events.at(-1)!;
    expect(result.event).toBe('result');
    expect(result.data).toMatchObject({ id, status: 'succeeded', stdout: TICKS });
    expect(running?.data.workerId).toBe(result.data.workerId);
    // The result event is the result GET answers.
    expect(result.data).toEqual((await request('GET', `/v1/executions/${id}`)).body);
    const output = events.filter((e) => e.event === 'stdout');
    expect(textOf(events)).toBe(TICKS);
    // Live, not all at the end: several pieces, the first one here before the program had finished.
    expect(output.length).toBeGreaterThan(1);
    expect(output[0].arrivedAt).toBeLessThan(Date.parse(result.data.finishedAt));
    expect(events.indexOf(running!)).toBeLessThan(events.indexOf(output[0]));
  });

  it('resumes after a disconnect from Last-Event-ID with nothing lost or repeated', async () => {
    const id = await submit(TICKER);
    const first = await followEvents(`/v1/executions/${id}/events`, {
      stopWhen: (events) => events.filter((e) => e.event === 'stdout').length >= 2,
    });
    expect(first.endedByServer).toBe(false);
    const lastId = first.events.at(-1)!.id;
    const rest = await followEvents(`/v1/executions/${id}/events`, { headers: { 'last-event-id': String(lastId) } });
    expect(rest.endedByServer).toBe(true);
    const events = [...first.events, ...rest.events];
    expectConsecutiveIds(events);
    expect(rest.events[0].id).toBe(lastId + 1);
    const result = events.at(-1)!;
    expect(result.event).toBe('result');
    expect(textOf(events)).toBe(result.data.stdout);
    expect(result.data.stdout).toBe(TICKS);

    // The query parameter does the same; a client past the result is told there is nothing more (204).
    const fromQuery = await followEvents(`/v1/executions/${id}/events?lastEventId=${lastId}`);
    expect(fromQuery.events.map((e) => e.id)).toEqual(rest.events.map((e) => e.id));
    const done = await followEvents(`/v1/executions/${id}/events`, { headers: { 'last-event-id': String(result.id) } });
    expect(done.status).toBe(204);
    expect(done.events).toEqual([]);
  });

  it('gives a late subscriber everything from the start, the same events every time', async () => {
    const code = 'import sys\nprint("out 1")\nprint("err 1", file=sys.stderr)\nprint("out 2")\n';
    const final = await run(code);
    const late = await followEvents(`/v1/executions/${final.id}/events`);
    expectConsecutiveIds(late.events);
    expect(late.events.map((e) => e.event)).toEqual(expect.arrayContaining(['status', 'stdout', 'stderr', 'result']));
    expect(late.events.slice(0, 2).map((e) => e.data.status)).toEqual(['queued', 'running']);
    expect(textOf(late.events)).toBe(final.stdout);
    expect(textOf(late.events, 'stderr')).toBe(final.stderr);
    expect(late.events.at(-1)!.data).toEqual(final);
    const again = await followEvents(`/v1/executions/${final.id}/events`);
    expect(again.events.map(({ id, event, data }) => ({ id, event, data }))).toEqual(
      late.events.map(({ id, event, data }) => ({ id, event, data })),
    );
  });

  it('keeps no more output than outputBytes, and still ends with the result', async () => {
    const outputBytes = 1000;
    const final = await run('import sys\nfor i in range(400):\n    print("0123456789", flush=True)\n', {
      limits: { outputBytes },
    });
    expect(final.status).toBe('output_limit');
    const { events, endedByServer } = await followEvents(`/v1/executions/${final.id}/events`);
    expect(endedByServer).toBe(true);
    expect(events.at(-1)!.event).toBe('result');
    expect(events.at(-1)!.data.status).toBe('output_limit');
    const streamed = textOf(events);
    expect(Buffer.byteLength(streamed)).toBeLessThanOrEqual(outputBytes);
    expect(streamed).toBe(final.stdout);
  });

  it('answers 404 for an execution of another key, as for one that never existed, and 400 for a bad Last-Event-ID', async () => {
    const final = await run('print("mine")');
    const other = await createKey('events-other');
    const theirs = await followEvents(`/v1/executions/${final.id}/events`, { key: other.key });
    expect(theirs.status).toBe(404);
    expect(theirs.events).toEqual([]);
    const unknown = await followEvents('/v1/executions/00000000-0000-4000-8000-000000000000/events');
    expect(unknown.status).toBe(404);
    expect(theirs.body.message).toBe(unknown.body.message.replace(/[0-9a-f-]{36}/, final.id));
    const bad = await followEvents(`/v1/executions/${final.id}/events`, { headers: { 'last-event-id': 'x1' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual([expect.stringContaining('Last-Event-ID')]);
    await asKey(other.key).request('GET', '/v1/limits'); // the key works: the 404 was about ownership
  });

  it('submits and streams in one request with Accept: text/event-stream', async () => {
    const stream = await followEvents('/v1/executions', { method: 'POST', body: { code: TICKER } });
    expect(stream.status).toBe(200);
    const id = stream.headers.get('x-execution-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(stream.events[0]).toMatchObject({ id: 1, event: 'status', data: { status: 'queued', id } });
    expectConsecutiveIds(stream.events);
    const result = stream.events.at(-1)!;
    expect(result).toMatchObject({ event: 'result', data: { id, status: 'succeeded', stdout: TICKS } });
    expect(textOf(stream.events)).toBe(TICKS);
    expect(stream.events.find((e) => e.event === 'stdout')!.arrivedAt).toBeLessThan(Date.parse(result.data.finishedAt));
    // An invalid body is refused as JSON before any stream starts, and nothing is queued.
    const refused = await followEvents('/v1/executions', {
      method: 'POST',
      body: { code: 'print(1)', limits: { memoryMb: 1 } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual([expect.stringContaining('limits.memoryMb')]);
  });

  describe('session cells', () => {
    const sessions = sessionsOf(request);

    it("streams a cell's output and its displays before its result", async () => {
      const session = await sessions.create();
      try {
        const code =
          'import time\nfor i in range(3):\n    print(f"step {i}", flush=True)\n    time.sleep(0.2)\ndisplay("shown")\n21 * 2';
        const submitted = await request('POST', `/v1/sessions/${session.id}/executions`, { code });
        expect(submitted.status).toBe(202);
        const executionId = submitted.body.id;
        const path = `/v1/sessions/${session.id}/executions/${executionId}/events`;
        const { events, endedByServer } = await followEvents(path);
        expect(endedByServer).toBe(true);
        expectConsecutiveIds(events);
        expect(events[0].data).toEqual({ status: 'queued', id: executionId });
        expect(events[1].data).toMatchObject({ status: 'running', workerId: session.workerId });
        const result = events.at(-1)!;
        expect(result.event).toBe('result');
        expect(result.data).toMatchObject({ id: executionId, status: 'succeeded', result: { 'text/plain': '42' } });
        expect(textOf(events)).toBe('step 0\nstep 1\nstep 2\n');
        expect(result.data.stdout).toBe(textOf(events));
        const displays = events.filter((e) => e.event === 'display');
        expect(displays.map((e) => e.data)).toEqual(result.data.displays);
        expect(displays.map((e) => e.data)).toEqual([{ mime: 'text/plain', data: "'shown'" }]);
        expect(events.indexOf(displays[0])).toBeLessThan(events.length - 1);

        // Resumed, late, and for another key: as for jobs.
        const resumed = await followEvents(path, { headers: { 'last-event-id': '2' } });
        expect(resumed.events).toEqual(
          events.slice(2).map((e, i) => ({ ...e, arrivedAt: resumed.events[i].arrivedAt })),
        );
        const other = await createKey('events-session-other');
        expect((await followEvents(path, { key: other.key })).status).toBe(404);
        expect((await followEvents(`/v1/sessions/${session.id}/executions/${session.id}/events`)).status).toBe(404);
      } finally {
        await sessions.remove(session.id);
      }
    });
  });
});
