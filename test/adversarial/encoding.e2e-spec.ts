import { request, run } from '../support/api-client';
import { hostile } from './hostile';

describe('adversarial: encoding', () => {
  hostile('binary and invalid UTF-8 on stdout and stderr become U+FFFD in valid JSON', async () => {
    const result = await run(
      'import sys\nsys.stdout.buffer.write(b"ok \\xff\\xfe \\xc3\\x28 \\xed\\xa0\\x80 \\x00 end")\nsys.stderr.buffer.write(b"\\x80err")',
    );
    expect(result.status).toBe('succeeded');
    expect(result.stdout).toBe('ok \ufffd\ufffd \ufffd( \ufffd\ufffd\ufffd \u0000 end');
    expect(result.stderr).toBe('\ufffderr');
  });

  hostile('terminal escape sequences come back escaped in the JSON text, never as raw control bytes', async () => {
    const code = 'print("\\x1b[2J\\x1b]0;pwned\\x07\\x1b[31mred\\x1b[0m\\r\\x08\\x7f")';
    const response = await request('POST', '/v1/executions?wait=true', { code });
    expect(response.status).toBe(200);
    expect(response.body.stdout).toBe('\u001b[2J\u001b]0;pwned\u0007\u001b[31mred\u001b[0m\r\u0008\u007f\n');
    const raw = await fetch(`${process.env.E2E_BASE_URL}/v1/executions/${response.body.id}`, {
      headers: { authorization: `Bearer ${process.env.E2E_ADMIN_KEY}` },
    }).then((r) => r.text());
    expect(raw).toContain('\\u001b[2J');
    // eslint-disable-next-line no-control-regex
    expect(raw).not.toMatch(/[\u0000-\u001f]/);
  });

  hostile('unicode, a BOM, right-to-left overrides and astral characters in the source run as written', async () => {
    const result = await run('\ufeff# -*- coding: utf-8 -*-\nname = "ü ✓ 𝄞 \u202eabc"\nprint(name, len(name))');
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'ü ✓ 𝄞 \u202eabc 10\n' });
  });

  hostile('a lone surrogate in the source is refused before it reaches a container', async () => {
    const response = await request('POST', '/v1/executions', '{"code":"print(\\"\\ud800\\")"}');
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual(['code must be well-formed Unicode (no lone surrogates)']);
  });

  hostile('invalid UTF-8 in the request body is refused', async () => {
    const response = await request('POST', '/v1/executions', Buffer.from('{"code":"print(\'\xff\')"}', 'latin1'));
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('the body must be UTF-8');
  });

  hostile('source that is not valid Python fails with a SyntaxError, not an error of the service', async () => {
    const result = await run('\u0000\u0001 def (:');
    expect(result.status).toBe('failed');
    expect(result.stderr).toMatch(/SyntaxError|ValueError/);
  });
});
