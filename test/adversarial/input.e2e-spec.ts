import { request, run } from '../support/api-client';
import { hostile } from './hostile';

const post = (files: unknown[]) => request('POST', '/v1/executions', { code: 'pass', files });

const TRAVERSALS = [
  '../escape',
  '..',
  '.',
  './a',
  'a/..',
  'a/../b',
  'a/./b',
  'a/../../etc/passwd',
  '/etc/passwd',
  '/sandbox/a',
  '//etc/passwd',
  'a//b',
  'a/',
  '/',
  '..\\escape',
  '\\etc\\passwd',
  'a\\..\\..\\b',
  'C:\\Windows\\x',
  '\u0000',
  'a\u0000/../../etc/passwd',
  'a\nb',
  'a\rb',
  '\u001b[31m',
  '\u007f',
];

describe('adversarial: input files', () => {
  hostile('path traversal in every spelling is refused with a 400 naming the field', async () => {
    for (const path of TRAVERSALS) {
      const response = await post([{ path, content: 'x' }]);
      expect([path, response.status]).toEqual([path, 400]);
      expect(response.body.message).toEqual([expect.stringMatching(/^files\.0\.path /)]);
    }
  });

  hostile('spellings that only look like traversal stay literal names inside the working directory', async () => {
    const literal = [
      '%2e%2e/x',
      '..%2fx',
      '%2e%2e%2f%2e%2e%2fetc',
      '~/x',
      '．．/x',
      '‥/x',
      '..../x',
      '.../x',
      '..a',
      'a..',
      ' ..',
      '.. ',
    ];
    const result = await run(
      'import json, os\nprint(json.dumps(sorted(os.path.relpath(os.path.realpath(os.path.join(r, f)), "/sandbox") for r, _, fs in os.walk("/sandbox") for f in fs)))',
      { files: literal.map((path) => ({ path, content: path })) },
    );
    expect(result.status).toBe('succeeded');
    expect(JSON.parse(result.stdout)).toEqual([...literal, 'main.py'].sort()); // main.py: the code itself
    for (const path of JSON.parse(result.stdout)) expect(path.startsWith('../')).toBe(false);
  });

  hostile('duplicate names and a file beneath another are refused', async () => {
    const duplicate = await post([
      { path: 'a', content: '1' },
      { path: 'a', content: '2' },
    ]);
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.message).toEqual(['files.1.path duplicates an earlier file']);
    const beneath = await post([
      { path: 'a', content: '1' },
      { path: 'a/b', content: '2' },
    ]);
    expect(beneath.status).toBe(400);
    expect(beneath.body.message).toEqual(['files.1.path is beneath another input file']);
  });

  hostile('names that differ only in case or Unicode normalisation are distinct files', async () => {
    const result = await run('import os\nprint(sorted(n for n in os.listdir(".") if n != "main.py"))', {
      files: [
        { path: 'A', content: '1' },
        { path: 'a', content: '2' },
        { path: '\u00e9', content: '3' },
        { path: 'e\u0301', content: '4' },
      ],
    });
    expect(result).toMatchObject({ status: 'succeeded', stdout: `['A', 'a', 'e\u0301', '\u00e9']\n` });
  });

  hostile('empty and over-long names are refused', async () => {
    const cases: [string, string][] = [
      ['', 'files.0.path must be a non-empty string'],
      ['x'.repeat(256), 'files.0.path segments must be at most 255 bytes'],
      [Array(6).fill('x'.repeat(200)).join('/'), 'files.0.path must be at most 1024 bytes'],
      [Array(33).fill('d').join('/'), 'files.0.path must be at most 32 levels deep'],
    ];
    for (const [path, message] of cases) {
      const response = await post([{ path, content: 'x' }]);
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual([message]);
    }
  });

  hostile('a file name that is not a string, or content that is not base64, is refused', async () => {
    const notString = await post([{ path: 42, content: 'x' }]);
    expect(notString.status).toBe(400);
    expect(notString.body.message).toEqual(['files.0.path must be a string']);
    const notBase64 = await post([{ path: 'a', content: '%%%', encoding: 'base64' }]);
    expect(notBase64.body.message).toEqual(['files.0.content must be valid base64']);
  });
});
