import { randomBytes } from 'node:crypto';
import { base64ToBytes, bytesToBase64 } from './base64';

describe('base64', () => {
  it("encodes as Node's Buffer does, across slice boundaries", () => {
    for (const size of [0, 1, 2, 3, 0x8000 - 1, 0x8000, 0x8000 * 3 + 7]) {
      const bytes = randomBytes(size);
      expect(bytesToBase64(new Uint8Array(bytes))).toBe(bytes.toString('base64'));
    }
  });

  it('decodes back to the same bytes', () => {
    const bytes = randomBytes(100_003);
    expect(Buffer.from(base64ToBytes(bytes.toString('base64')))).toEqual(bytes);
  });

  it('throws on text that is not base64', () => {
    expect(() => base64ToBytes('not base64!')).toThrow();
  });
});
