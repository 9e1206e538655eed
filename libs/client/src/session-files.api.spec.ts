import { ValidationFailed } from './client.errors';
import { encodeFilePath } from './session-files.api';

describe('encodeFilePath', () => {
  it('encodes each segment and keeps the slashes between them', () => {
    expect(encodeFilePath('data/in.csv')).toBe('data/in.csv');
    expect(encodeFilePath('a b/ü?#%.txt')).toBe('a%20b/%C3%BC%3F%23%25.txt');
  });

  it.each(['../etc/passwd', 'a/./b', 'a/..', '.'])('refuses %j, which a URL would resolve to another route', (path) => {
    expect(() => encodeFilePath(path)).toThrow(ValidationFailed);
  });
});
