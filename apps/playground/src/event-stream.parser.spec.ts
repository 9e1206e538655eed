import { EventStreamParser, type StreamEvent } from './event-stream.parser';

/** Feeds `text` cut into pieces of `size` characters and gathers every event. */
const parse = (text: string, size = text.length, max = 1 << 20): StreamEvent[] => {
  const parser = new EventStreamParser(max);
  const events: StreamEvent[] = [];
  for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
  return [...events, ...parser.end()];
};

const STREAM = [
  ': a keep-alive comment',
  'id: 1',
  'event: status',
  'data: {"status":"queued"}',
  '',
  'id: 2',
  'event: stdout',
  'data: {"text":"line one\\n"}',
  '',
  'event: stderr',
  'data:first',
  'data: second',
  'retry: 100',
  'unknown: ignored',
  '',
  'data',
  '',
  '',
  'id: 3',
  'event: result',
  'data: {"status":"succeeded"}',
  '',
  'data: an event the stream never ends',
].join('\n');

const EXPECTED: StreamEvent[] = [
  { event: 'status', data: '{"status":"queued"}', id: '1' },
  { event: 'stdout', data: '{"text":"line one\\n"}', id: '2' },
  // No id line: the stream's last id goes on.
  { event: 'stderr', data: 'first\nsecond', id: '2' },
  { event: 'message', data: '', id: '2' },
  { event: 'result', data: '{"status":"succeeded"}', id: '3' },
];

describe('EventStreamParser', () => {
  it('reads events, comments, multi-line data and ids as the HTML standard says, however the text is cut', () => {
    for (const size of [1, 2, 3, 7, 64, STREAM.length]) expect(parse(STREAM, size)).toEqual(EXPECTED);
  });

  it('takes CRLF and lone CR as line ends, even with a CRLF split between two chunks', () => {
    for (const eol of ['\r\n', '\r'])
      for (const size of [1, 2, 5, STREAM.length]) expect(parse(STREAM.replace(/\n/g, eol), size)).toEqual(EXPECTED);
    const parser = new EventStreamParser(1000);
    expect(parser.push('data: a\r')).toEqual([]);
    // The LF that completes the CRLF is no blank line: the event ends only at the next line end.
    expect(parser.push('\ndata: b\r')).toEqual([]);
    expect(parser.push('\r')).toEqual([]);
    expect(parser.push('x')).toEqual([{ event: 'message', data: 'a\nb', id: undefined }]);
    // A CR last in the stream ends its line, and so an event.
    expect(parser.push('\rdata: c\r')).toEqual([]);
    expect(parser.push('\r')).toEqual([]);
    expect(parser.end()).toEqual([{ event: 'message', data: 'c', id: undefined }]);
  });

  it('keeps an unfinished event for the next chunk, and gives nothing for a stream cut in the middle of one', () => {
    const parser = new EventStreamParser(1000);
    expect(parser.push('event: stdout\ndata: {"text":')).toEqual([]);
    expect(parser.push('"x"}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'stdout', data: '{"text":"x"}', id: undefined }]);
  });

  it('refuses an event longer than its bound, whether in one line or many', () => {
    expect(() => parse(`data: ${'x'.repeat(200)}`, 16, 100)).toThrow('longer than 100 characters');
    expect(() => parse('data: xxxxxxxxx\n'.repeat(20), 16, 100)).toThrow('longer than 100 characters');
    expect(parse('data: xxxxxxxxx\n\n'.repeat(20), 16, 100)).toHaveLength(20);
  });
});
