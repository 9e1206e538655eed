import { ApiClient, createKey } from '../support/api-client';

/**
 * The shared stack runs with WEBHOOK_ALLOW_PRIVATE off: every URL here must be
 * refused when submitted, with a 400 that names webhook.url, and nothing queued.
 */
describe('webhook URLs that point inward', () => {
  let client: ApiClient;

  beforeAll(async () => {
    const { key } = await createKey('ssrf');
    client = new ApiClient(() => key);
  });

  it.each([
    ['loopback', 'http://127.0.0.1:8080/hook', 'loopback'],
    ['loopback, written as one number', 'http://2130706433/hook', 'loopback'],
    ['loopback by name', 'http://localhost/hook', 'loopback'],
    ['a private network', 'http://10.0.0.1/hook', 'private'],
    ['another private network', 'https://192.168.1.10/hook', 'private'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['the unspecified address', 'http://0.0.0.0:3000/', 'unspecified'],
    ['IPv6 loopback', 'http://[::1]/hook', 'loopback'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/hook', 'loopback, inside an IPv6 address'],
    [
      'IPv4-mapped IPv6 metadata',
      'http://[::ffff:a9fe:a9fe]/hook',
      'link-local (cloud metadata), inside an IPv6 address',
    ],
    ['IPv6 link-local', 'http://[fe80::1]/hook', 'link-local'],
    ['IPv6 unique local', 'http://[fd00:ec2::254]/hook', 'unique local'],
    ['multicast', 'http://224.0.0.1/hook', 'multicast'],
  ])('refuses %s', async (_, url, why) => {
    const answer = await client.request('POST', '/v1/executions', { code: 'print(1)', webhook: { url } });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual([expect.stringMatching(/^webhook\.url resolves to \S+, which is /)]);
    expect(answer.body.message[0]).toContain(why);
  });

  it.each([
    ['file://', 'file:///etc/passwd', 'webhook.url must use http or https, not file'],
    ['gopher://', 'gopher://127.0.0.1:6379/_FLUSHALL', 'webhook.url must use http or https, not gopher'],
    ['not a URL', 'example.com/hook', 'webhook.url must be an absolute http or https URL'],
    ['credentials in the URL', 'https://user:pass@example.com/', 'webhook.url must not carry a user name or password'],
    [
      'a URL past the length cap',
      `https://example.com/${'a'.repeat(2100)}`,
      'webhook.url must be at most 2048 characters',
    ],
  ])('refuses %s', async (_, url, message) => {
    const answer = await client.request('POST', '/v1/executions', { code: 'print(1)', webhook: { url } });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual([message]);
  });

  it('refuses a url that is not a string, and unknown webhook fields', async () => {
    const wrongType = await client.request('POST', '/v1/executions', { code: 'print(1)', webhook: { url: 42 } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toEqual(['webhook.url must be a string']);
    const extra = await client.request('POST', '/v1/executions', {
      code: 'print(1)',
      webhook: { url: 'http://10.0.0.1/', headers: { authorization: 'x' } },
    });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toContain('webhook.headers should not exist');
  });

  it('names the item of a batch whose webhook points inward, and queues none of the batch', async () => {
    const answer = await client.request('POST', '/v1/executions/batch', {
      executions: [{ code: 'print(1)' }, { code: 'print(2)', webhook: { url: 'http://169.254.169.254/' } }],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual([
      expect.stringMatching(/^executions\.1\.webhook\.url resolves to 169\.254\.169\.254/),
    ]);
    expect((await client.request('GET', '/v1/executions')).body.items).toEqual([]);
  });
});
