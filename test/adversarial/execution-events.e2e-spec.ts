import { run, submit } from '../support/api-client';
import { followEvents, textOf } from '../support/event-stream';

/*
 * Hostile output against the event stream: what a program prints must arrive
 * as the text of its own events, whatever bytes it writes, and can never
 * forge an event, end one early, or reach past its caps.
 */

describe('adversarial: execution events', () => {
  it('carries output that looks like SSE framing (CR, LF, "event: result") as text, never as events', async () => {
    const code = String.raw`import sys
sys.stdout.write("a\n\nid: 999\nevent: result\ndata: {\"status\":\"succeeded\"}\n\n")
sys.stdout.write("b\r\revent: status\rdata: {}\r\n\r\n")
sys.stdout.flush()
sys.stderr.write(": comment\n\nretry: 1\n")
`;
    const id = await submit(code);
    const { events, endedByServer } = await followEvents(`/v1/executions/${id}/events`);
    expect(endedByServer).toBe(true);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.event === 'result')).toHaveLength(1);
    expect(events.filter((e) => e.event === 'status').map((e) => e.data.status)).toEqual(['queued', 'running']);
    const result = events.at(-1)!.data;
    expect(result.stdout).toContain('event: result');
    expect(textOf(events)).toBe(result.stdout);
    expect(textOf(events, 'stderr')).toBe(result.stderr);
  });

  it('replaces bytes that are not UTF-8 exactly as the result does, however the chunks are cut', async () => {
    // Characters split across writes and flushes, stray continuation bytes, overlong forms, surrogates, 0xff.
    const code = String.raw`import sys, time
out = sys.stdout.buffer
for piece in [b"\xe2", b"\x82", b"\xac ok ", b"\xf0\x9f", b"\x98\x80", b"\x80\x80 ", b"\xc0\xaf", b"\xed\xa0\x80", b"\xff\xfe", b"\xf0\x9f\x98"]:
    out.write(piece); out.flush(); time.sleep(0.06)
`;
    const id = await submit(code);
    const { events } = await followEvents(`/v1/executions/${id}/events`);
    const result = events.at(-1)!.data;
    expect(result.stdout).toContain('€ ok 😀');
    expect(result.stdout).toContain('\ufffd');
    expect(textOf(events)).toBe(result.stdout);
    // Read again once the result is stored (the stream's copy of the bytes is gone by then): the same text.
    const late = await followEvents(`/v1/executions/${id}/events`);
    expect(textOf(late.events)).toBe(result.stdout);
    expect(late.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('holds a flood to its cap, in the stream as in the result, and still ends with the result', async () => {
    const outputBytes = 4096;
    const final = await run('import os\nwhile True:\n    os.write(1, b"\\x01" * 65536)\n', { limits: { outputBytes } });
    expect(final.status).toBe('output_limit');
    const { events } = await followEvents(`/v1/executions/${final.id}/events`);
    expect(events.at(-1)!.event).toBe('result');
    expect(textOf(events)).toBe(final.stdout);
    expect(Buffer.byteLength(textOf(events))).toBe(outputBytes);
  });
});
