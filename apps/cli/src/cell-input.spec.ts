import { isCellComplete } from './cell-input';

const cell = (text: string) => isCellComplete(text.split('\n'));

describe('isCellComplete', () => {
  it.each([
    'x = 1',
    'print("a:")',
    'd = {"k": 1}',
    'x = [1,\n 2]',
    's = """one\ntwo"""',
    'total = 1 + \\\n 2',
    "x = 'it''s'  # a comment:",
    'for i in range(3):\n    print(i)\n',
    'def f(x):\n    return x\n\n',
    '@decorator\ndef f():\n    pass\n',
    'if x:\n    y = [1,\n         2]\n',
  ])('runs %j', (text) => expect(cell(text)).toBe(true));

  it.each([
    'for i in range(3):',
    'for i in range(3):\n    print(i)',
    'class A:  # a comment',
    'x = [1,',
    'f(a,\n  b',
    's = """one',
    'total = 1 + \\',
    '@decorator',
    'if x:\n    y = [1,\n',
  ])('waits for more after %j', (text) => expect(cell(text)).toBe(false));
});
