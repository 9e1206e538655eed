import pino from 'pino';
import { Writable } from 'node:stream';
import { CODE_PREFIX_CHARS, logRedaction } from './log-redaction';

const capture = () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ redact: logRedaction }, stream), text: () => lines.join('') };
};

describe('log redaction', () => {
  it('replaces API keys and credentials in request headers', () => {
    const { logger, text } = capture();
    logger.info(
      {
        req: {
          headers: { authorization: 'Bearer secret-1', 'x-api-key': 'secret-2', cookie: 'sid=secret-3', accept: '*/*' },
        },
      },
      'request',
    );
    expect(text()).not.toMatch(/secret-[123]/);
    expect(JSON.parse(text()).req.headers).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      cookie: '[redacted]',
      accept: '*/*',
    });
  });

  it('replaces an apiKey field wherever a caller logs one', () => {
    const { logger, text } = capture();
    logger.info({ apiKey: 'k1', client: { apiKey: 'k2' }, auth: { client: { apiKey: 'k3' } } });
    expect(text()).not.toMatch(/"k[123]"/);
  });

  it('keeps only a short prefix of user code, and none of stdin or input files', () => {
    const { logger, text } = capture();
    const code = `print("start")\n${'# filler\n'.repeat(50)}print("THE-END-OF-THE-PROGRAM")`;
    logger.info({ job: { code, stdin: 'secret input', files: [{ path: 'a', data: 'c2VjcmV0' }] } });
    const logged = JSON.parse(text()).job;
    expect(logged.code.startsWith(code.slice(0, CODE_PREFIX_CHARS))).toBe(true);
    expect(logged.code).toContain(`[${code.length} chars, redacted]`);
    expect(text()).not.toContain('THE-END-OF-THE-PROGRAM');
    expect(logged.stdin).toBe('[redacted]');
    expect(logged.files).toBe('[redacted]');
  });

  it('leaves short code as it is', () => {
    const { logger, text } = capture();
    logger.info({ code: 'print(1)' });
    expect(JSON.parse(text()).code).toBe('print(1)');
  });
});
