import { servedFileHeaders, servedFileType } from './served-file';

describe('servedFileType', () => {
  it.each([
    ['plot.png', 'image/png'],
    ['deep/dir/Photo.JPG', 'image/jpeg'],
    ['notes.txt', 'text/plain; charset=utf-8'],
    ['data.csv', 'text/csv; charset=utf-8'],
    ['result.json', 'application/json'],
  ])('serves %s as %s', (path, type) => {
    expect(servedFileType(path)).toBe(type);
  });

  it.each([
    'page.html',
    'page.htm',
    'image.svg',
    'feed.xml',
    'app.js',
    'page.xhtml',
    'no-extension',
    '.png',
    'x.png.html',
  ])('never serves %s as anything a browser would run or render as a page', (path) => {
    expect(servedFileType(path)).toBe('application/octet-stream');
  });
});

describe('servedFileHeaders', () => {
  it('makes every file a download that is never sniffed nor allowed to run anything', () => {
    expect(servedFileHeaders('out/résumé "x".txt')).toEqual({
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'content-disposition': `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.txt`,
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'no-store',
    });
  });
});
