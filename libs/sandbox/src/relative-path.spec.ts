import { relativePathProblem } from './relative-path';

/** A path of exactly `bytes` bytes made of 100-byte segments, so only the total length is at issue. */
const pathOfBytes = (bytes: number): string => {
  const segments: string[] = [];
  let remaining = bytes;
  while (remaining > 0) {
    // Every segment after the first costs one more byte for its "/".
    const room = segments.length === 0 ? remaining : remaining - 1;
    const size = Math.min(100, room);
    segments.push('x'.repeat(size));
    remaining -= segments.length === 1 ? size : size + 1;
  }
  return segments.join('/');
};

describe('relativePathProblem', () => {
  describe('accepts', () => {
    it.each([
      ['a plain name', 'a.txt'],
      ['a nested path', 'data/in.csv'],
      ['a deeper path', 'a/b/c/d.json'],
      ['a dotfile', '.env'],
      ['a name that only starts with dots', '..hidden'],
      ['a name with dots inside', 'a..b/c...d'],
      ['spaces', 'my file.txt'],
      ['accented letters', 'données/résumé.txt'],
      ['CJK', '日本語/ファイル.txt'],
      ['an emoji', 'pics/🐍.png'],
    ])('%s: %j', (_label, path) => {
      expect(relativePathProblem(path)).toBeNull();
    });

    it('a segment of exactly 255 bytes', () => {
      expect(relativePathProblem('x'.repeat(255))).toBeNull();
    });

    it('a path of exactly 1024 bytes', () => {
      const path = pathOfBytes(1024);
      expect(Buffer.byteLength(path)).toBe(1024);
      expect(relativePathProblem(path)).toBeNull();
    });

    it('a path exactly 32 levels deep', () => {
      const path = Array.from({ length: 32 }, () => 'd').join('/');
      expect(relativePathProblem(path)).toBeNull();
    });
  });

  describe('refuses', () => {
    it.each([
      ['the empty string', '', 'must be a non-empty string'],
      ['an absolute path', '/etc/passwd', 'must be relative'],
      ['the root alone', '/', 'must be relative'],
      ['a parent segment at the start', '../x', 'must not contain "." or ".." segments'],
      ['a bare parent', '..', 'must not contain "." or ".." segments'],
      ['a parent segment in the middle', 'a/../b', 'must not contain "." or ".." segments'],
      ['a parent segment at the end', 'a/..', 'must not contain "." or ".." segments'],
      ['a current-directory segment in the middle', 'a/./b', 'must not contain "." or ".." segments'],
      ['a leading current-directory segment', './a', 'must not contain "." or ".." segments'],
      ['a bare dot', '.', 'must not contain "." or ".." segments'],
      ['a doubled separator', 'a//b', 'must not contain empty segments'],
      ['a trailing slash', 'a/', 'must not contain empty segments'],
      ['a backslash traversal', '..\\x', 'must use "/" as the separator'],
      ['a Windows-style path', 'a\\b.txt', 'must use "/" as the separator'],
      ['a Windows drive path', 'C:\\Windows', 'must use "/" as the separator'],
      ['NUL', 'a\0b', 'must not contain control characters or NUL'],
      ['a NUL used to cut off an extension', 'evil.py\0.txt', 'must not contain control characters or NUL'],
      ['a newline', 'a\nb', 'must not contain control characters or NUL'],
      ['a carriage return', 'a\r', 'must not contain control characters or NUL'],
      ['a tab', '\tx', 'must not contain control characters or NUL'],
      ['an escape character', 'a\u001b[31mred', 'must not contain control characters or NUL'],
      ['DEL', 'a\u007f', 'must not contain control characters or NUL'],
    ])('%s: %j', (_label, path, problem) => {
      expect(relativePathProblem(path)).toBe(problem);
    });

    it('a segment of 256 bytes', () => {
      expect(relativePathProblem('x'.repeat(256))).toBe('segments must be at most 255 bytes');
    });

    it('a segment of 128 characters that is 256 bytes in UTF-8', () => {
      const segment = 'é'.repeat(128);
      expect(segment.length).toBe(128);
      expect(relativePathProblem(`dir/${segment}`)).toBe('segments must be at most 255 bytes');
    });

    it('a path of 1025 bytes', () => {
      const path = pathOfBytes(1025);
      expect(Buffer.byteLength(path)).toBe(1025);
      expect(relativePathProblem(path)).toBe('must be at most 1024 bytes');
    });

    it('a path under 1024 characters that is over 1024 bytes in UTF-8', () => {
      const path = Array.from({ length: 5 }, () => '日'.repeat(80)).join('/');
      expect(path.length).toBeLessThan(1024);
      expect(relativePathProblem(path)).toBe('must be at most 1024 bytes');
    });

    it('a path 33 levels deep', () => {
      const path = Array.from({ length: 33 }, () => 'd').join('/');
      expect(relativePathProblem(path)).toBe('must be at most 32 levels deep');
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
      ['a number', 42],
      ['an array of strings', ['a', 'b']],
      ['an object', { path: 'a' }],
      ['a String object', new String('a.txt')],
    ])('non-string input: %s', (_label, input) => {
      expect(relativePathProblem(input)).toBe('must be a non-empty string');
    });
  });
});

describe('relativePathProblem and unicode', () => {
  it('refuses a lone surrogate, which cannot be written as UTF-8', () => {
    expect(relativePathProblem('a\ud800b')).toBe('must be valid Unicode');
    expect(relativePathProblem('\udcff.txt')).toBe('must be valid Unicode');
  });

  it('accepts a proper surrogate pair', () => {
    expect(relativePathProblem('emoji-\u{1F600}.txt')).toBeNull();
  });
});
