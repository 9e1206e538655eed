import { parseDuration, parseMemory } from './option-parsers';
import { sandboxPathOf } from './run.command';

describe('command line values', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['7', 7000],
  ])('reads the duration %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'fast', '-1s', '0', '5h', '1e3'])('refuses the duration %j', (text) =>
    expect(() => parseDuration(text)).toThrow(/duration/),
  );

  it.each([
    ['256m', 256],
    ['256', 256],
    ['1g', 1024],
    ['524288k', 512],
    ['512MB', 512],
  ])('reads the memory size %s', (text, mb) => expect(parseMemory(text)).toBe(mb));

  it.each(['', 'lots', '0', '1.5m', '100k'])('refuses the memory size %j', (text) =>
    expect(() => parseMemory(text)).toThrow(/megabytes/),
  );

  it.each([
    ['data.csv', 'data.csv'],
    ['./data/in.csv', 'data/in.csv'],
    ['data/../in.csv', 'in.csv'],
    ['../up/in.csv', 'in.csv'],
    ['/etc/hosts', 'hosts'],
  ])('puts the local file %s at %s in the sandbox', (local, remote) => expect(sandboxPathOf(local)).toBe(remote));
});
