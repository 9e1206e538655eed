import { BadRequestException } from '@nestjs/common';
import { MAX_JSON_DEPTH, nestingDepth, parseJsonBody } from './json-body.parser';

const messageOf = (raw: string | Buffer): string => {
  try {
    parseJsonBody(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8'));
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return (error as BadRequestException).message;
  }
  throw new Error('parseJsonBody accepted the body');
};

describe('nestingDepth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['[[]]', 2],
    ['{"a":[{"b":{}}]}', 4],
    ['[{}, {}, [[]]]', 3],
  ])('counts %s as %d levels', (text, depth) => {
    expect(nestingDepth(text)).toBe(depth);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestingDepth('{"a":"[[[[{{{{","b":"\\"[[[["}')).toBe(1);
    expect(nestingDepth('["\\\\", ["x"]]')).toBe(2);
  });

  it('stops counting once past the limit', () => {
    expect(nestingDepth('['.repeat(1_000_000), 5)).toBe(6);
  });
});

describe('parseJsonBody', () => {
  it('parses an ordinary body', () => {
    expect(
      parseJsonBody(Buffer.from('{"code":"print(1)","limits":{"memoryMb":64},"files":[{"path":"a","content":"b"}]}')),
    ).toEqual({
      code: 'print(1)',
      limits: { memoryMb: 64 },
      files: [{ path: 'a', content: 'b' }],
    });
  });

  it('accepts nesting up to the limit and refuses one level more', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(() => parseJsonBody(Buffer.from(nested(MAX_JSON_DEPTH)))).not.toThrow();
    expect(messageOf(nested(MAX_JSON_DEPTH + 1))).toBe(
      `the body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`,
    );
  });

  it('refuses a body nested a million levels deep without overflowing the stack', () => {
    expect(messageOf('{"a":'.repeat(1_000_000) + '1' + '}'.repeat(1_000_000))).toMatch(/more than 32 levels deep/);
  });

  it.each([
    ['{"code":"x","__proto__":{"admin":true}}', '__proto__'],
    ['{"code":"x","limits":{"__proto__":{"polluted":1}}}', '__proto__'],
    // The reviver sees the innermost key first.
    ['{"code":"x","constructor":{"prototype":{"polluted":1}}}', 'prototype'],
    ['{"code":"x","constructor":{"polluted":1}}', 'constructor'],
    ['{"files":[{"path":"a","content":"b","prototype":1}]}', 'prototype'],
    ['[{"constructor":1}]', 'constructor'],
  ])('refuses %s, naming the key', (body, key) => {
    expect(messageOf(body)).toBe(`the body must not contain the key "${key}", at any level`);
  });

  it('leaves prototypes alone while refusing', () => {
    messageOf('{"__proto__":{"pollutedBySpec":true}}');
    expect(({} as Record<string, unknown>).pollutedBySpec).toBeUndefined();
  });

  it('accepts the polluting words as values', () => {
    expect(parseJsonBody(Buffer.from('{"code":"__proto__ constructor prototype","args":["__proto__"]}'))).toEqual({
      code: '__proto__ constructor prototype',
      args: ['__proto__'],
    });
  });

  it.each([[''], ['   \n']])('refuses an empty body %j', (body) => {
    expect(messageOf(body)).toBe('the body is empty: send a JSON object');
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(messageOf(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).toBe('the body must be UTF-8');
  });

  it('refuses invalid JSON with the parser message only', () => {
    const message = messageOf('{"code": ');
    expect(message).toMatch(/^the body is not valid JSON: /);
    expect(message).not.toMatch(/\/(work|app|src|node_modules)\//);
  });
});
