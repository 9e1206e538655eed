import {
  encodeFrame,
  encodePayload,
  Frame,
  FrameDecoder,
  FrameType,
  ProtocolError,
  RunnerPayload,
} from './runner-protocol';

const payload = (overrides: Partial<RunnerPayload> = {}): RunnerPayload => ({
  code: 'print("héllo, 世界")',
  stdin: 'aW5wdXQ=',
  args: ['-v', 'ünïcode'],
  files: [{ path: 'data/in.csv', data: 'YSxiCg==' }],
  timeoutMs: 10_000,
  outputBytes: 1024,
  maxFiles: 10,
  maxFileBytes: 4096,
  maxTotalFileBytes: 8192,
  maxDisplays: 5,
  ...overrides,
});

/** Frames as plain values, so two decodings can be compared with toEqual. */
const plain = (frames: Frame[]) => frames.map((f) => ({ type: f.type, body: f.body.toString('hex') }));

const decodeInChunks = (stream: Buffer, sizes: number[], maxFrameBytes = 1 << 20): Frame[] => {
  const decoder = new FrameDecoder(maxFrameBytes);
  const frames: Frame[] = [];
  let offset = 0;
  let i = 0;
  while (offset < stream.length) {
    const size = sizes[i++ % sizes.length];
    frames.push(...decoder.push(stream.subarray(offset, offset + size)));
    offset += size;
  }
  expect(decoder.midFrame).toBe(false);
  return frames;
};

describe('encodePayload', () => {
  it('prefixes the JSON body with its length in bytes as a big-endian u32', () => {
    const input = payload();
    const encoded = encodePayload(input);
    const json = JSON.stringify(input);
    // The payload has non-ASCII text, so a length in characters would be wrong.
    expect(Buffer.byteLength(json)).toBeGreaterThan(json.length);
    expect(encoded.readUInt32BE(0)).toBe(Buffer.byteLength(json));
    expect(encoded.length).toBe(4 + Buffer.byteLength(json));
    expect(JSON.parse(encoded.subarray(4).toString('utf8'))).toEqual(input);
  });

  it('gives a longer prefix for a longer payload', () => {
    const short = encodePayload(payload({ code: '' }));
    const long = encodePayload(payload({ code: 'x'.repeat(70_000) }));
    expect(long.readUInt32BE(0) - short.readUInt32BE(0)).toBe(70_000);
  });
});

describe('encodeFrame', () => {
  it('writes the type byte, a big-endian u32 length and the body', () => {
    const frame = encodeFrame('O', Buffer.from('abc'));
    expect(frame.toString('latin1', 0, 1)).toBe('O');
    expect(frame.readUInt32BE(1)).toBe(3);
    expect(frame.subarray(5).toString()).toBe('abc');
  });

  it('writes an empty body when none is given', () => {
    const frame = encodeFrame('R');
    expect(frame.length).toBe(5);
    expect(frame.readUInt32BE(1)).toBe(0);
  });
});

describe('FrameDecoder', () => {
  const frames: [FrameType, Buffer][] = [
    ['R', Buffer.alloc(0)],
    ['O', Buffer.from('hello\n')],
    ['E', Buffer.from('Traceback…\n')],
    ['O', Buffer.alloc(0)],
    ['F', Buffer.from([0, 5, ...Buffer.from('a.bin'), 0, 1, 2, 255])],
    ['O', Buffer.alloc(3000, 0x61)],
    ['X', Buffer.from('{"exitCode":0}')],
  ];
  const stream = Buffer.concat(frames.map(([type, body]) => encodeFrame(type, body)));
  const expected = frames.map(([type, body]) => ({ type, body: body.toString('hex') }));

  it('decodes a whole stream pushed at once', () => {
    expect(plain(decodeInChunks(stream, [stream.length]))).toEqual(expected);
  });

  it('decodes the same frames when the stream arrives one byte at a time', () => {
    expect(plain(decodeInChunks(stream, [1]))).toEqual(expected);
  });

  it.each([[[2]], [[3]], [[4]], [[5]], [[6]], [[7, 1, 13]], [[4096]], [[1, 4, 5, 999]]])(
    'decodes the same frames for chunk sizes %j',
    (sizes) => {
      expect(plain(decodeInChunks(stream, sizes))).toEqual(expected);
    },
  );

  it('decodes the same frames for every split of the stream into two chunks', () => {
    const small = Buffer.concat([
      encodeFrame('R'),
      encodeFrame('O', Buffer.from('xy')),
      encodeFrame('E'),
      encodeFrame('X', Buffer.from('{}')),
    ]);
    const want = [
      { type: 'R', body: '' },
      { type: 'O', body: Buffer.from('xy').toString('hex') },
      { type: 'E', body: '' },
      { type: 'X', body: Buffer.from('{}').toString('hex') },
    ];
    for (let cut = 0; cut <= small.length; cut++) {
      const decoder = new FrameDecoder(100);
      const got = [...decoder.push(small.subarray(0, cut)), ...decoder.push(small.subarray(cut))];
      expect({ cut, frames: plain(got) }).toEqual({ cut, frames: want });
    }
  });

  it('tolerates empty chunks between the bytes of a frame', () => {
    const decoder = new FrameDecoder(100);
    const frame = encodeFrame('O', Buffer.from('abc'));
    const got: Frame[] = [];
    got.push(...decoder.push(Buffer.alloc(0)));
    got.push(...decoder.push(frame.subarray(0, 2)));
    got.push(...decoder.push(Buffer.alloc(0)));
    got.push(...decoder.push(frame.subarray(2)));
    expect(plain(got)).toEqual([{ type: 'O', body: Buffer.from('abc').toString('hex') }]);
    expect(decoder.midFrame).toBe(false);
  });

  it('returns zero-length frames as soon as their header is complete', () => {
    const decoder = new FrameDecoder(100);
    const header = encodeFrame('R');
    expect(decoder.push(header.subarray(0, 4))).toEqual([]);
    const frames = decoder.push(header.subarray(4));
    expect(frames).toHaveLength(1);
    expect(frames[0].type).toBe('R');
    expect(frames[0].body.length).toBe(0);
  });

  describe('midFrame', () => {
    it('is false before anything arrives', () => {
      expect(new FrameDecoder(100).midFrame).toBe(false);
    });

    it('is true inside a header, inside a body, and false once the frame is complete', () => {
      const decoder = new FrameDecoder(100);
      const frame = encodeFrame('O', Buffer.from('abcdef'));
      decoder.push(frame.subarray(0, 3));
      expect(decoder.midFrame).toBe(true);
      decoder.push(frame.subarray(3, 5));
      // The header is complete but none of the body has come.
      expect(decoder.midFrame).toBe(true);
      decoder.push(frame.subarray(5, 8));
      expect(decoder.midFrame).toBe(true);
      expect(decoder.push(frame.subarray(8))).toHaveLength(1);
      expect(decoder.midFrame).toBe(false);
    });

    it('is true when a complete frame is followed by part of the next', () => {
      const decoder = new FrameDecoder(100);
      const frames = decoder.push(Buffer.concat([encodeFrame('O', Buffer.from('a')), encodeFrame('E').subarray(0, 1)]));
      expect(frames).toHaveLength(1);
      expect(decoder.midFrame).toBe(true);
    });
  });

  describe('refuses', () => {
    it.each([
      ['a letter that is not a frame type', 'Z'],
      ['a lower-case frame type', 'o'],
      ['a NUL type byte', '\0'],
      ['a high type byte', '\u00ff'],
    ])('%s', (_label, type) => {
      const frame = encodeFrame('O', Buffer.from('x'));
      frame.write(type, 0, 'latin1');
      expect(() => new FrameDecoder(100).push(frame)).toThrow(ProtocolError);
    });

    it('an unknown type even when it arrives one byte at a time', () => {
      const frame = encodeFrame('O', Buffer.from('x'));
      frame.write('W', 0, 'latin1');
      const decoder = new FrameDecoder(100);
      for (let i = 0; i < 4; i++) expect(decoder.push(frame.subarray(i, i + 1))).toEqual([]);
      expect(() => decoder.push(frame.subarray(4, 5))).toThrow(/unknown frame type 0x57/);
    });

    it('a frame one byte longer than the maximum', () => {
      expect(() => new FrameDecoder(16).push(encodeFrame('O', Buffer.alloc(17)))).toThrow(ProtocolError);
    });

    it('an oversized frame from its header alone, before any of the body is buffered', () => {
      const header = Buffer.alloc(5);
      header.write('F', 0, 'latin1');
      header.writeUInt32BE(0xffffffff, 1);
      expect(() => new FrameDecoder(1 << 20).push(header)).toThrow(/4294967295 bytes exceeds 1048576/);
    });

    it('an unknown frame after valid ones in the same chunk', () => {
      const bad = encodeFrame('O');
      bad.write('?', 0, 'latin1');
      const decoder = new FrameDecoder(100);
      expect(() => decoder.push(Buffer.concat([encodeFrame('R'), bad]))).toThrow(ProtocolError);
    });
  });

  it('accepts a frame of exactly the maximum length', () => {
    const frames = new FrameDecoder(16).push(encodeFrame('O', Buffer.alloc(16, 7)));
    expect(frames).toHaveLength(1);
    expect(frames[0].body).toEqual(Buffer.alloc(16, 7));
  });
});
