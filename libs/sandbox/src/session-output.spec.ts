import { DisplayCollector } from './runner-displays';
import { emptyExitRecord } from './runner-output';
import { Frame, ProtocolError } from './runner-protocol';
import { CellOutput, parseFileReply } from './session-output';

const frame = (type: Frame['type'], body: unknown = ''): Frame => ({
  type,
  body: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});

const cellRecord = (fields: Record<string, unknown> = {}) => ({
  ...emptyExitRecord(),
  exitCode: 0,
  id: 'exec-1',
  kernelDied: false,
  memoryBytes: 1 << 19,
  ...fields,
});

/** A Q frame's body: a u32 header length, the JSON header, the content. */
const replyBody = (header: unknown, content = Buffer.alloc(0)): Buffer => {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json, content]);
};

describe('DisplayCollector', () => {
  const PNG = 'iVBORw0KGgo=';

  it('keeps displays in order and a value', () => {
    const collector = new DisplayCollector({ outputBytes: 100, maxDisplays: 5 });
    collector.acceptDisplay(Buffer.from(JSON.stringify({ mime: 'image/png', data: PNG })));
    collector.acceptDisplay(Buffer.from(JSON.stringify({ mime: 'text/html', data: '<b>x</b>' })));
    collector.acceptValue(Buffer.from(JSON.stringify({ 'text/plain': '1', 'text/html': '<i>1</i>' })));
    expect(collector.displays).toEqual([
      { mime: 'image/png', data: PNG },
      { mime: 'text/html', data: '<b>x</b>' },
    ]);
    expect(collector.value).toEqual({ 'text/plain': '1', 'text/html': '<i>1</i>' });
    expect(collector.truncated).toBe(false);
  });

  it('drops what passes the count or the size cap, value included, and says so', () => {
    const collector = new DisplayCollector({ outputBytes: 10, maxDisplays: 2 });
    for (const data of ['aaaa', 'bbbb', 'c'])
      collector.acceptDisplay(Buffer.from(JSON.stringify({ mime: 'text/plain', data })));
    expect(collector.displays.map((d) => d.data)).toEqual(['aaaa', 'bbbb']);
    collector.acceptValue(Buffer.from(JSON.stringify({ 'text/plain': 'too long' })));
    expect(collector.value).toBeNull();
    expect(collector.truncated).toBe(true);
  });

  it.each([
    ['a MIME type that is not one', { mime: 'not a mime', data: 'x' }],
    ['an upper-case MIME type', { mime: 'TEXT/PLAIN', data: 'x' }],
    ['image data that is not base64', { mime: 'image/png', data: '<svg onload=alert(1)>' }],
  ])('drops %s from the code and says so, without failing the run', (_label, display) => {
    const collector = new DisplayCollector({ outputBytes: 100, maxDisplays: 5 });
    collector.acceptDisplay(Buffer.from(JSON.stringify(display)));
    expect(collector.displays).toEqual([]);
    expect(collector.truncated).toBe(true);
  });

  it('takes SVG as the text it is', () => {
    const collector = new DisplayCollector({ outputBytes: 100, maxDisplays: 5 });
    collector.acceptDisplay(Buffer.from(JSON.stringify({ mime: 'image/svg+xml', data: '<svg/>' })));
    expect(collector.displays).toEqual([{ mime: 'image/svg+xml', data: '<svg/>' }]);
  });

  it.each([
    ['not JSON', 'nope'],
    ['not an object', '[1]'],
    ['a display without data', JSON.stringify({ mime: 'text/plain' })],
    ['data that is not a string', JSON.stringify({ mime: 'text/plain', data: 1 })],
  ])('refuses a display frame that is %s', (_label, body) => {
    const collector = new DisplayCollector({ outputBytes: 100, maxDisplays: 5 });
    expect(() => collector.acceptDisplay(Buffer.from(body))).toThrow(ProtocolError);
  });

  it('refuses a value without text, with HTML that is not text, or a second value', () => {
    const collector = new DisplayCollector({ outputBytes: 100, maxDisplays: 5 });
    expect(() => collector.acceptValue(Buffer.from(JSON.stringify({ 'text/html': 'x' })))).toThrow(ProtocolError);
    expect(() => collector.acceptValue(Buffer.from(JSON.stringify({ 'text/plain': 'x', 'text/html': 1 })))).toThrow(
      ProtocolError,
    );
    collector.acceptValue(Buffer.from(JSON.stringify({ 'text/plain': 'x', 'image/png': 'ignored' })));
    expect(collector.value).toEqual({ 'text/plain': 'x' });
    expect(() => collector.acceptValue(Buffer.from(JSON.stringify({ 'text/plain': 'y' })))).toThrow(ProtocolError);
  });
});

describe('CellOutput', () => {
  const caps = { outputBytes: 8, maxDisplays: 3 };

  it('collects output, displays and the value, then the record', () => {
    const cell = new CellOutput(caps);
    cell.accept(frame('O', 'out'));
    cell.accept(frame('E', 'err'));
    cell.accept(frame('D', { mime: 'text/plain', data: 'd' }));
    cell.accept(frame('V', { 'text/plain': '2' }));
    cell.accept(frame('C', cellRecord()));
    expect(cell.stdout.text()).toBe('out');
    expect(cell.stderr.text()).toBe('err');
    expect(cell.displays.displays).toEqual([{ mime: 'text/plain', data: 'd' }]);
    expect(cell.displays.value).toEqual({ 'text/plain': '2' });
    expect(cell.record).toMatchObject({ id: 'exec-1', kernelDied: false, memoryBytes: 1 << 19, exitCode: 0 });
  });

  it('holds output to the cap and flags a runner that sent more', () => {
    const cell = new CellOutput(caps);
    cell.accept(frame('O', '123456789'));
    expect(cell.stdout.text()).toBe('12345678');
    expect(cell.outputLimitHit).toBe(true);
  });

  it.each(['R', 'A', 'F', 'X', 'Q'] as const)('refuses a %s frame inside a cell', (type) => {
    expect(() => new CellOutput(caps).accept(frame(type, ''))).toThrow(ProtocolError);
  });

  it('refuses anything after the record, and a record that is not one', () => {
    const cell = new CellOutput(caps);
    cell.accept(frame('C', cellRecord()));
    expect(() => cell.accept(frame('O', 'late'))).toThrow(ProtocolError);
    for (const bad of [cellRecord({ id: 7 }), cellRecord({ kernelDied: 'yes' }), cellRecord({ memoryBytes: -1 })]) {
      expect(() => new CellOutput(caps).accept(frame('C', bad))).toThrow(ProtocolError);
    }
  });
});

describe('parseFileReply', () => {
  it('reads a get with its content, a put with its size, a listing and a stat', () => {
    expect(parseFileReply(replyBody({ id: 'r1', ok: true, size: 3 }, Buffer.from([0, 1, 2])), 10)).toEqual({
      id: 'r1',
      ok: true,
      size: 3,
      content: Buffer.from([0, 1, 2]),
    });
    const listing = parseFileReply(
      replyBody({ id: 'r2', ok: true, files: [{ path: 'a/b.txt', size: 4 }], truncated: true }),
      10,
    );
    expect(listing).toMatchObject({ files: [{ path: 'a/b.txt', size: 4 }], truncated: true });
    expect(parseFileReply(replyBody({ id: 'r3', ok: true, memoryBytes: 42 }), 10)).toMatchObject({ memoryBytes: 42 });
  });

  it('leaves out listed names that break the path rules, and says some were left out', () => {
    const body = replyBody({
      id: 'r',
      ok: true,
      files: [
        { path: 'fine.txt', size: 1 },
        { path: 'new\nline', size: 2 },
        { path: '../x', size: 3 },
      ],
      truncated: false,
    });
    expect(parseFileReply(body, 10)).toMatchObject({ files: [{ path: 'fine.txt', size: 1 }], truncated: true });
  });

  it('reads a refusal by its code', () => {
    expect(parseFileReply(replyBody({ id: 'r1', ok: false, error: 'link' }), 10)).toEqual({
      id: 'r1',
      ok: false,
      error: 'link',
    });
  });

  it.each([
    ['a short frame', Buffer.from([0, 0])],
    ['a header running past the frame', Buffer.from([0, 0, 1, 0, 0x7b])],
    ['an unknown refusal', replyBody({ id: 'r', ok: false, error: 'because' })],
    ['a refusal with content', replyBody({ id: 'r', ok: false, error: 'link' }, Buffer.from('x'))],
    [
      'a listing longer than asked',
      replyBody({
        id: 'r',
        ok: true,
        files: [
          { path: 'a', size: 1 },
          { path: 'b', size: 1 },
        ],
        truncated: false,
      }),
    ],
    ['a negative size', replyBody({ id: 'r', ok: true, size: -1 })],
    ['no id', replyBody({ ok: true })],
  ])('refuses %s', (_label, body) => {
    expect(() => parseFileReply(body, 1)).toThrow(ProtocolError);
  });
});
