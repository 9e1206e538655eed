import { request } from './support/api-client';

const post = (body: unknown) => request('POST', '/v1/executions', body);

const expect400Naming = async (body: unknown, field: string): Promise<void> => {
  const response = await post(body);
  expect(response.status).toBe(400);
  const messages: string[] = Array.isArray(response.body.message) ? response.body.message : [response.body.message];
  expect(messages.some((m) => m.includes(field))).toBe(true);
};

describe('request validation', () => {
  it('requires code', () => expect400Naming({}, 'code'));
  it('refuses code that is not a string', () => expect400Naming({ code: 42 }, 'code'));
  it('refuses unknown fields at the top level', () =>
    expect400Naming({ code: 'print(1)', image: 'alpine' }, 'image should not exist'));
  it('refuses unknown fields inside limits', () =>
    expect400Naming(
      { code: 'print(1)', limits: { memoryMb: 64, privileged: true } },
      'limits.privileged should not exist',
    ));
  it('refuses unknown fields inside files', () =>
    expect400Naming({ code: 'x', files: [{ path: 'a', content: 'b', mode: 4755 }] }, 'files.0.mode should not exist'));
  it('refuses limits over the server maximum', () =>
    expect400Naming({ code: 'x', limits: { memoryMb: 1_000_000 } }, 'limits.memoryMb'));
  it('refuses a timeout over the server maximum', () =>
    expect400Naming({ code: 'x', limits: { timeoutMs: 10_000_000 } }, 'limits.timeoutMs'));
  it('refuses limits of the wrong type', () =>
    expect400Naming({ code: 'x', limits: { timeoutMs: '100' } }, 'limits.timeoutMs'));
  it('refuses network unless the server allows it', () => expect400Naming({ code: 'x', network: true }, 'network'));
  it('refuses a bad environment name', () => expect400Naming({ code: 'x', environment: '../etc' }, 'environment'));
  it('refuses args that are not strings', () => expect400Naming({ code: 'x', args: [1] }, 'args'));

  it.each([['../escape.txt'], ['/etc/passwd'], ['a/../../b'], ['a\u0000b'], ['./a'], ['']])(
    'refuses the input path %j with a 400 naming files.0.path',
    (path) => expect400Naming({ code: 'x', files: [{ path, content: 'x' }] }, 'files.0.path'),
  );

  it('refuses duplicate input paths', () =>
    expect400Naming(
      {
        code: 'x',
        files: [
          { path: 'a', content: '1' },
          { path: 'a', content: '2' },
        ],
      },
      'files.1.path',
    ));

  it('refuses malformed JSON', async () => {
    const response = await post('{"code": ');
    expect(response.status).toBe(400);
  });

  it('refuses an unknown wait flag', async () => {
    const response = await request('POST', '/v1/executions?wait=maybe', { code: 'x' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('wait');
  });
});
