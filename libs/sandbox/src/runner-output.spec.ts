import { CappedBuffer, OutputCaps, parseExitRecord, RunnerExitRecord, RunnerOutput } from './runner-output';
import { Frame, ProtocolError } from './runner-protocol';

const caps: OutputCaps = { outputBytes: 10, maxFiles: 3, maxFileBytes: 8, maxTotalFileBytes: 12, maxDisplays: 2 };

const frame = (type: Frame['type'], body: Buffer | string = Buffer.alloc(0)): Frame => ({
  type,
  body: typeof body === 'string' ? Buffer.from(body) : body,
});

/** A file frame body: a u16 big-endian name length, the name, then the content. */
const fileBody = (name: Buffer | string, content: Buffer | string): Buffer => {
  const nameBytes = typeof name === 'string' ? Buffer.from(name) : name;
  const length = Buffer.alloc(2);
  length.writeUInt16BE(nameBytes.length);
  return Buffer.concat([length, nameBytes, typeof content === 'string' ? Buffer.from(content) : content]);
};

const validRecord: RunnerExitRecord = {
  exitCode: 3,
  signal: null,
  timedOut: false,
  outputLimit: true,
  stdoutTruncated: true,
  stderrTruncated: false,
  oomKilled: false,
  filesTruncated: true,
  displaysTruncated: false,
  wallMs: 1234,
  cpuMs: 567,
  peakMemoryBytes: 8_388_608,
};

const record = (fields: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ ...validRecord, ...fields }));

describe('RunnerOutput', () => {
  describe('ready frame', () => {
    it('marks the output ready', () => {
      const output = new RunnerOutput(caps);
      expect(output.ready).toBe(false);
      output.accept(frame('R'));
      expect(output.ready).toBe(true);
    });

    it('refuses a second ready frame', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('R'));
      expect(() => output.accept(frame('R'))).toThrow(ProtocolError);
    });

    it('refuses a ready frame with a body', () => {
      expect(() => new RunnerOutput(caps).accept(frame('R', 'x'))).toThrow(ProtocolError);
    });
  });

  describe('displays', () => {
    it("keeps a job's displays and reports those past its caps", () => {
      const output = new RunnerOutput(caps);
      for (const data of ['a', 'b', 'c']) output.accept(frame('D', JSON.stringify({ mime: 'text/plain', data })));
      expect(output.displays.displays).toEqual([
        { mime: 'text/plain', data: 'a' },
        { mime: 'text/plain', data: 'b' },
      ]);
      expect(output.displays.truncated).toBe(true);
    });

    it.each(['V', 'C', 'Q'] as const)('refuses a %s frame, which only sessions send', (type) => {
      expect(() => new RunnerOutput(caps).accept(frame(type, '{}'))).toThrow(ProtocolError);
    });
  });

  describe('stdout and stderr', () => {
    it('keeps output under the cap whole and untruncated', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('O', 'abc'));
      output.accept(frame('O', 'def'));
      output.accept(frame('E', 'err'));
      expect(output.stdout.text()).toBe('abcdef');
      expect(output.stderr.text()).toBe('err');
      expect(output.stdout.truncated).toBe(false);
      expect(output.outputLimitHit).toBe(false);
    });

    it('keeps output of exactly the cap without calling it truncated', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('O', '12345'));
      output.accept(frame('O', '67890'));
      expect(output.stdout.length).toBe(caps.outputBytes);
      expect(output.stdout.truncated).toBe(false);
      expect(output.outputLimitHit).toBe(false);
    });

    it('keeps exactly cap bytes of stdout and reports the overflow', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('O', '1234567'));
      output.accept(frame('O', 'abcdefg'));
      expect(output.stdout.text()).toBe('1234567abc');
      expect(output.stdout.length).toBe(caps.outputBytes);
      expect(output.stdout.truncated).toBe(true);
      expect(output.outputLimitHit).toBe(true);
    });

    it('drops everything that arrives once stdout is full', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('O', '0123456789'));
      output.accept(frame('O', 'more'));
      output.accept(frame('O', 'and more'));
      expect(output.stdout.text()).toBe('0123456789');
      expect(output.outputLimitHit).toBe(true);
    });

    it('caps stderr on its own, leaving stdout untouched', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('O', 'out'));
      output.accept(frame('E', 'e'.repeat(25)));
      expect(output.stderr.text()).toBe('e'.repeat(caps.outputBytes));
      expect(output.stderr.truncated).toBe(true);
      expect(output.stdout.truncated).toBe(false);
      expect(output.stdout.text()).toBe('out');
      expect(output.outputLimitHit).toBe(true);
    });

    it('turns invalid UTF-8 into U+FFFD', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('O', Buffer.from([0x61, 0xff, 0x62, 0xc3])));
      expect(output.stdout.text()).toBe('a\ufffdb\ufffd');
    });

    it('joins a character split across frames', () => {
      const output = new RunnerOutput(caps);
      const snake = Buffer.from('🐍');
      output.accept(frame('O', snake.subarray(0, 2)));
      output.accept(frame('O', snake.subarray(2)));
      expect(output.stdout.text()).toBe('🐍');
    });
  });

  describe('files', () => {
    it('collects a file with its name and content', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('F', fileBody('out/result.bin', Buffer.from([0, 1, 254, 255]))));
      expect(output.files).toEqual([{ path: 'out/result.bin', content: Buffer.from([0, 1, 254, 255]) }]);
      expect(output.filesTruncated).toBe(false);
    });

    it('accepts an empty file and a UTF-8 name', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('F', fileBody('résumé.txt', '')));
      expect(output.files.map((f) => [f.path, f.content.length])).toEqual([['résumé.txt', 0]]);
      expect(output.filesTruncated).toBe(false);
    });

    it('keeps its own copy of the content', () => {
      const output = new RunnerOutput(caps);
      const body = fileBody('a', 'abc');
      output.accept(frame('F', body));
      body.fill(0);
      expect(output.files[0].content.toString()).toBe('abc');
    });

    it.each([
      ['a parent traversal', '../x'],
      ['an absolute path', '/etc/passwd'],
      ['a traversal in the middle', 'a/../../b'],
      ['a control character', 'a\nb'],
      ['an empty name', ''],
    ])('drops a file whose name is %s', (_label, name) => {
      const output = new RunnerOutput(caps);
      output.accept(frame('F', fileBody(name, 'x')));
      expect(output.files).toEqual([]);
      expect(output.filesTruncated).toBe(true);
    });

    it('drops a file whose name is not UTF-8', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('F', fileBody(Buffer.from([0x61, 0xff, 0x62]), 'x')));
      expect(output.files).toEqual([]);
      expect(output.filesTruncated).toBe(true);
    });

    it('drops a second file with the same name and keeps the first', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('F', fileBody('a.txt', 'first')));
      output.accept(frame('F', fileBody('a.txt', 'second')));
      expect(output.files.map((f) => f.content.toString())).toEqual(['first']);
      expect(output.filesTruncated).toBe(true);
    });

    it('drops files beyond the count cap', () => {
      const output = new RunnerOutput(caps);
      for (const name of ['a', 'b', 'c', 'd']) output.accept(frame('F', fileBody(name, '1')));
      expect(output.files.map((f) => f.path)).toEqual(['a', 'b', 'c']);
      expect(output.filesTruncated).toBe(true);
    });

    it('accepts a file of exactly the per-file cap', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('F', fileBody('a', 'x'.repeat(caps.maxFileBytes))));
      expect(output.files).toHaveLength(1);
      expect(output.filesTruncated).toBe(false);
    });

    it('drops a file one byte over the per-file cap but keeps later files that fit', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('F', fileBody('big', 'x'.repeat(caps.maxFileBytes + 1))));
      output.accept(frame('F', fileBody('small', 'y')));
      expect(output.files.map((f) => f.path)).toEqual(['small']);
      expect(output.filesTruncated).toBe(true);
    });

    it('drops a file that would take the total past its cap', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('F', fileBody('a', '12345678')));
      output.accept(frame('F', fileBody('b', '12345')));
      output.accept(frame('F', fileBody('c', '1234')));
      // 8 + 4 fits the total of 12 exactly; the 5-byte file did not.
      expect(output.files.map((f) => f.path)).toEqual(['a', 'c']);
      expect(output.filesTruncated).toBe(true);
    });

    it('does not count a dropped file against the caps', () => {
      const output = new RunnerOutput({ ...caps, maxFiles: 1 });
      output.accept(frame('F', fileBody('../escape', 'x')));
      output.accept(frame('F', fileBody('kept', 'x')));
      expect(output.files.map((f) => f.path)).toEqual(['kept']);
    });

    it('refuses a file frame too short to hold a name length', () => {
      expect(() => new RunnerOutput(caps).accept(frame('F', Buffer.from([0])))).toThrow(ProtocolError);
    });

    it('refuses a file frame whose name runs past its end', () => {
      const body = Buffer.concat([Buffer.from([0, 10]), Buffer.from('abc')]);
      expect(() => new RunnerOutput(caps).accept(frame('F', body))).toThrow(ProtocolError);
    });
  });

  describe('exit record', () => {
    it('parses the record into exit', () => {
      const output = new RunnerOutput(caps);
      output.accept(frame('X', record({})));
      expect(output.exit).toEqual(validRecord);
    });

    it.each<[Frame['type'], Buffer]>([
      ['O', Buffer.from('late')],
      ['E', Buffer.from('late')],
      ['F', fileBody('late.txt', 'x')],
      ['R', Buffer.alloc(0)],
      ['X', record({})],
    ])('refuses a %s frame after it', (type, body) => {
      const output = new RunnerOutput(caps);
      output.accept(frame('X', record({})));
      expect(() => output.accept(frame(type, body))).toThrow(ProtocolError);
    });
  });
});

describe('CappedBuffer', () => {
  it('reports whether a chunk was kept whole', () => {
    const buffer = new CappedBuffer();
    expect(buffer.append(Buffer.from('abc'), 4)).toBe(true);
    expect(buffer.append(Buffer.from('de'), 4)).toBe(false);
    expect(buffer.text()).toBe('abcd');
    expect(buffer.append(Buffer.from(''), 4)).toBe(true);
  });
});

describe('parseExitRecord', () => {
  it('returns every field of a valid record', () => {
    expect(parseExitRecord(record({}))).toEqual(validRecord);
  });

  it('accepts a null exit code with a signal name', () => {
    const parsed = parseExitRecord(record({ exitCode: null, signal: 'SIGKILL', oomKilled: true }));
    expect(parsed.exitCode).toBeNull();
    expect(parsed.signal).toBe('SIGKILL');
    expect(parsed.oomKilled).toBe(true);
  });

  it('refuses a record without the stream truncation flags', () => {
    expect(() => parseExitRecord(record({ stdoutTruncated: undefined }))).toThrow(ProtocolError);
    expect(() => parseExitRecord(record({ stderrTruncated: null }))).toThrow(ProtocolError);
  });

  it('refuses a fractional exit code rather than rounding it', () => {
    expect(() => parseExitRecord(record({ exitCode: 1.5 }))).toThrow(ProtocolError);
  });

  it('reads the stream truncation flags when they are sent', () => {
    const parsed = parseExitRecord(record({ stdoutTruncated: false, stderrTruncated: true }));
    expect(parsed.stdoutTruncated).toBe(false);
    expect(parsed.stderrTruncated).toBe(true);
  });

  it.each([0, 1, 255])('accepts exit code %d', (exitCode) => {
    expect(parseExitRecord(record({ exitCode })).exitCode).toBe(exitCode);
  });

  it('does not copy unknown fields', () => {
    const body = record({ extra: 'x' }).toString().replace('{', '{"__proto__":{"polluted":true},');
    const parsed = parseExitRecord(Buffer.from(body));
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(validRecord).sort());
    expect((parsed as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['not JSON', Buffer.from('{exitCode: 0')],
    ['empty', Buffer.alloc(0)],
    ['an array', Buffer.from(JSON.stringify([validRecord]))],
    ['null', Buffer.from('null')],
    ['a number', Buffer.from('0')],
    ['a string', Buffer.from('"ok"')],
    ['an exit code over 255', record({ exitCode: 256 })],
    ['a negative exit code', record({ exitCode: -1 })],
    ['a string exit code', record({ exitCode: '0' })],
    ['a missing exit code', record({ exitCode: undefined })],
    ['a shell command as the signal', record({ signal: 'rm -rf' })],
    ['a signal with a command appended', record({ signal: 'SIGKILL; x' })],
    ['a lower-case signal', record({ signal: 'sigkill' })],
    ['a numeric signal', record({ signal: 9 })],
    ['a missing signal', record({ signal: undefined })],
    ['a string flag', record({ timedOut: 'false' })],
    ['a numeric flag', record({ oomKilled: 0 })],
    ['a null flag', record({ filesTruncated: null })],
    ['a string stream truncation flag', record({ stderrTruncated: 'yes' })],
    ['a negative count', record({ wallMs: -5 })],
    ['a string count', record({ cpuMs: '10' })],
    ['a missing count', record({ peakMemoryBytes: undefined })],
  ])('refuses %s', (_label, body) => {
    expect(() => parseExitRecord(body)).toThrow(ProtocolError);
  });

  it('refuses an infinite count written as a huge number', () => {
    expect(() => parseExitRecord(Buffer.from(record({}).toString().replace('1234', '1e999')))).toThrow(ProtocolError);
  });

  it('accepts a record of exactly 4096 bytes and refuses one of 4097', () => {
    const base = record({}).toString();
    const padded = (size: number) => Buffer.from(base.padEnd(size, ' '));
    expect(parseExitRecord(padded(4096))).toEqual(validRecord);
    expect(() => parseExitRecord(padded(4097))).toThrow(/too large/);
  });

  it('reads the error form, keeping the first 200 characters and zero usage', () => {
    const message = 'exec failed: '.padEnd(500, 'x');
    const { error, ...claims } = parseExitRecord(
      Buffer.from(JSON.stringify({ error: message, exitCode: 0, timedOut: true })),
    );
    expect(error).toBe(message.slice(0, 200));
    // Every field of a record, and not one of them claims anything: no exit code or signal, no flag, no usage.
    expect(Object.keys(claims).sort()).toEqual(Object.keys(validRecord).sort());
    expect(Object.entries(claims).filter(([, value]) => value !== null && value !== false && value !== 0)).toEqual([]);
  });
});

describe('RunnerOutput accept frame', () => {
  it('records that the runner took the payload', () => {
    const output = new RunnerOutput(caps);
    expect(output.accepted).toBe(false);
    output.accept(frame('A', ''));
    expect(output.accepted).toBe(true);
  });

  it('refuses a second accept frame and one with a body', () => {
    const output = new RunnerOutput(caps);
    output.accept(frame('A', ''));
    expect(() => output.accept(frame('A', ''))).toThrow(ProtocolError);
    expect(() => new RunnerOutput(caps).accept(frame('A', 'x'))).toThrow(ProtocolError);
  });
});
