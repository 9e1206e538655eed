import { displayKind, imageBytes, imageMimeOfFile } from './display-kinds';

describe('displayKind', () => {
  it.each(['image/png', 'image/jpeg', 'image/svg+xml', 'IMAGE/PNG', 'image/svg+xml; charset=utf-8'])(
    'shows %s as an image',
    (mime) => {
      expect(displayKind(mime)).toBe('image');
    },
  );

  it.each(['text/html', 'text/html; charset=utf-8'])('shows %s only in a sandboxed frame', (mime) => {
    expect(displayKind(mime)).toBe('html');
  });

  it.each([
    'text/plain',
    'application/javascript',
    'text/javascript',
    'image/gif',
    'image/svg',
    'application/xhtml+xml',
    'text/xml',
    '',
    'image/png2',
  ])('shows %s as text', (mime) => {
    expect(displayKind(mime)).toBe('text');
  });
});

describe('imageBytes', () => {
  it('decodes PNG and JPEG data from base64, and takes SVG data as markup', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    expect(Buffer.from(imageBytes({ mime: 'image/png', data: png.toString('base64') }))).toEqual(png);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"/>';
    expect(Buffer.from(imageBytes({ mime: 'image/svg+xml', data: svg })).toString()).toBe(svg);
  });
});

describe('imageMimeOfFile', () => {
  it.each([
    ['plot.png', 'image/png'],
    ['out/figure.JPG', 'image/jpeg'],
    ['a.b/photo.jpeg', 'image/jpeg'],
    ['chart.svg', 'image/svg+xml'],
  ])('shows %s inline as %s', (path, mime) => {
    expect(imageMimeOfFile(path)).toBe(mime);
  });

  it.each(['page.html', 'data.csv', 'png', '.png', 'dir.png/notes', 'image.png.txt', 'anim.gif'])(
    'offers %s only as a download',
    (path) => {
      expect(imageMimeOfFile(path)).toBeUndefined();
    },
  );
});
