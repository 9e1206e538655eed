import { BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { FakeReply } from '../../../../test/support/fake-reply';
import { HttpErrorFilter } from './http-error.filter';
import { ServerBusyException } from './server-busy.exception';
import { TooManyRequestsException } from './too-many-requests.exception';

const answer = (exception: unknown, request: Record<string, unknown> = {}, sent = false) => {
  const reply = new FakeReply(sent);
  const host = {
    switchToHttp: () => ({
      getResponse: () => reply,
      getRequest: () => ({ method: 'POST', headers: {}, routeOptions: { url: '/x' }, ...request }),
    }),
  };
  new HttpErrorFilter().catch(exception, host as any);
  return reply;
};

describe('HttpErrorFilter', () => {
  let logged: string[];
  beforeEach(() => {
    logged = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void logged.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers an unexpected error with a fixed 500 and logs the detail instead', () => {
    const error = new Error("ENOENT: no such file or directory, open '/work/app/secret/config.json'");
    const reply = answer(error);
    expect(reply.statusCode).toBe(500);
    expect(reply.body).toEqual({ statusCode: 500, message: 'Internal server error', error: 'Internal Server Error' });
    expect(JSON.stringify(reply.body)).not.toMatch(/ENOENT|\/work|at /);
    expect(logged.join('\n')).toContain('/work/app/secret/config.json');
    expect(logged.join('\n')).toContain(error.stack!.split('\n')[1].trim());
  });

  it.each([[undefined], ['a string'], [{ weird: true }]])(
    'answers a thrown non-error %j with the same 500',
    (thrown) => {
      expect(answer(thrown).statusCode).toBe(500);
    },
  );

  it('keeps the status and messages of an HttpException', () => {
    const reply = answer(new BadRequestException(['limits.memoryMb must be an integer number']));
    expect(reply.statusCode).toBe(400);
    expect(reply.body).toEqual({
      statusCode: 400,
      message: ['limits.memoryMb must be an integer number'],
      error: 'Bad Request',
    });
    expect(answer(new NotFoundException('execution x not found')).body).toEqual({
      statusCode: 404,
      message: 'execution x not found',
      error: 'Not Found',
    });
  });

  it('keeps an HttpException body that is an object as it is, details and all', () => {
    const health = {
      status: 'error',
      info: {},
      error: { workers: { status: 'down' } },
      details: { workers: { live: [] } },
    };
    const reply = answer(new HttpException(health, 503));
    expect(reply.statusCode).toBe(503);
    expect(reply.body).toBe(health);
  });

  it('gives an HttpException with a string message the usual shape', () => {
    expect(answer(new HttpException('gone', 410)).body).toEqual({ statusCode: 410, message: 'gone', error: 'Gone' });
  });

  it('sets Retry-After for a 429', () => {
    const reply = answer(new TooManyRequestsException('slow down', 7));
    expect(reply.statusCode).toBe(429);
    expect(reply.headers['retry-after']).toBe('7');
  });

  it('sets Retry-After for a 503 of a server that is full for now, with the usual body', () => {
    const reply = answer(new ServerBusyException('full', 5));
    expect(reply.statusCode).toBe(503);
    expect(reply.headers['retry-after']).toBe('5');
    expect(reply.body).toEqual({ statusCode: 503, message: 'full', error: 'Service Unavailable' });
  });

  it("rewords Fastify's body-too-large and media-type errors to say what to change", () => {
    const tooLarge = new HttpException('Request body is too large', 413, {
      cause: Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
    });
    expect(
      (answer(tooLarge, { routeOptions: { url: '/v1/keys', bodyLimit: 131072 } }).body as { message: string }).message,
    ).toBe('the body is larger than this route accepts (131072 bytes)');
    const media = new HttpException('Unsupported Media Type', 415, {
      cause: Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }),
    });
    expect((answer(media, { headers: { 'content-type': 'text/plain' } }).body as { message: string }).message).toBe(
      'Content-Type "text/plain" is not accepted: send application/json',
    );
  });

  it('writes nothing when the reply was already sent, and still logs', () => {
    const reply = answer(new Error('late'), {}, true);
    expect(reply.statusCode).toBeUndefined();
    expect(reply.body).toBeUndefined();
    expect(logged.join('\n')).toContain('late');
  });
});
