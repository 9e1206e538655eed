import { RedisUnavailableError } from '@sps/redis';
import type { FastifyRequest } from 'fastify';
import { FakeReply } from '../../../../test/support/fake-reply';
import type { Authentication, AuthService } from './auth.service';
import type { Principal } from './principal';
import type { RateLimiter } from './rate-limiter.service';
import { RequestAuthenticator } from './request-authenticator.hook';

const principal = (role: 'admin' | 'user'): Principal => ({
  keyId: `k-${role}`,
  name: role,
  role,
  quotas: {
    ratePerMinute: 60,
    maxInFlight: 5,
    maxStoredBytes: 1024 * 1024,
    maxConcurrentRequests: 10,
    maxSessions: 5,
    maxLimits: { timeoutMs: 1000, memoryMb: 64, cpus: 1, pids: 16, outputBytes: 1024 },
  },
});

const KEYS: Record<string, Principal> = { 'admin-key': principal('admin'), 'user-key': principal('user') };

const fakeAuth = {
  authenticate: async (header: string | undefined): Promise<Authentication> => {
    if (!header) return { problem: 'missing' };
    const key = header.replace(/^Bearer /, '');
    return KEYS[key] ? { principal: KEYS[key] } : { problem: 'invalid' };
  },
} as unknown as AuthService;

const setup = ({ publicMetrics = false, retryAfterMs = 0 } = {}) => {
  const consumed: string[] = [];
  const limiter = {
    consume: async (keyId: string) => {
      consumed.push(keyId);
      return retryAfterMs ? { allowed: false, retryAfterMs } : { allowed: true, retryAfterMs: 0 };
    },
  } as unknown as RateLimiter;
  const config = { get: (key: string) => (key === 'auth.publicMetrics' ? publicMetrics : undefined) };
  const hook = new RequestAuthenticator(fakeAuth, limiter, config as any);
  const call = async (route: string | undefined, authorization?: string) => {
    const request = {
      is404: route === undefined,
      routeOptions: { url: route },
      headers: { authorization },
    } as unknown as FastifyRequest;
    const reply = new FakeReply();
    await hook.handle(request, reply.asFastify);
    return { request, reply };
  };
  return { call, consumed };
};

describe('RequestAuthenticator', () => {
  it.each([
    '/health/live',
    '/health/ready',
    '/docs',
    '/docs/static/index.html',
    '/docs-json',
    '/docs-yaml',
    '/',
    '/playground/main-ABC123.js',
  ])('lets %s through without a key', async (route) => {
    const { call, consumed } = setup();
    const { reply, request } = await call(route);
    expect(reply.body).toBeUndefined();
    expect(request.principal).toBeUndefined();
    expect(consumed).toEqual([]);
  });

  it.each([
    '/v1/executions',
    '/v1/executions/:id',
    '/execute',
    '/v1/keys',
    '/v1/environments',
    '/metrics',
    '/admin/queues/*',
    '/healthz',
    '/documents',
    '/playground',
    '/v1/limits',
  ])('answers 401 on %s without a key', async (route) => {
    const { reply } = (await setup().call(route)) as { reply: FakeReply };
    expect(reply.statusCode).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer realm="SimplePySandbox"');
    expect(reply.body).toEqual({
      statusCode: 401,
      message: 'an API key is required: send "Authorization: Bearer <key>"',
      error: 'Unauthorized',
    });
  });

  it('answers 401 for an unknown route, so routes cannot be discovered without a key', async () => {
    const { reply } = await setup().call(undefined);
    expect(reply.statusCode).toBe(401);
  });

  it('answers 401 for a key that is not valid', async () => {
    const { reply } = await setup().call('/v1/executions', 'Bearer stolen');
    expect(reply.statusCode).toBe(401);
    expect((reply.body as { message: string }).message).toBe('the API key is not valid (unknown or revoked)');
  });

  it('opens /metrics only when configured to', async () => {
    const { reply } = await setup({ publicMetrics: true }).call('/metrics');
    expect(reply.body).toBeUndefined();
  });

  it('attaches the principal and counts the request against its rate', async () => {
    const { call, consumed } = setup();
    const { request, reply } = await call('/v1/executions', 'Bearer user-key');
    expect(reply.body).toBeUndefined();
    expect(request.principal).toBe(KEYS['user-key']);
    expect(consumed).toEqual(['k-user']);
  });

  it.each(['/admin/queues', '/admin/queues/*', '/admin'])(
    'refuses a user key on %s with 403, and lets an admin key in',
    async (route) => {
      const { call } = setup();
      const asUser = await call(route, 'Bearer user-key');
      expect(asUser.reply.statusCode).toBe(403);
      expect((asUser.reply.body as { message: string }).message).toBe('this route needs an admin API key');
      const asAdmin = await call(route, 'Bearer admin-key');
      expect(asAdmin.reply.body).toBeUndefined();
      expect(asAdmin.request.principal?.role).toBe('admin');
    },
  );

  it('turns Redis being away into RedisUnavailableError, for a 503 rather than a 401', async () => {
    const down = {
      authenticate: async () =>
        Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    };
    const hook = new RequestAuthenticator(
      down as unknown as AuthService,
      {} as RateLimiter,
      { get: () => false } as any,
    );
    const request = {
      is404: false,
      routeOptions: { url: '/v1/executions' },
      headers: { authorization: 'Bearer admin-key' },
    } as unknown as FastifyRequest;
    await expect(hook.handle(request, new FakeReply().asFastify)).rejects.toThrow(RedisUnavailableError);
  });

  it('answers 429 with Retry-After in whole seconds, rounded up, when over the rate', async () => {
    const { reply, request } = await setup({ retryAfterMs: 2500 }).call('/v1/executions', 'Bearer user-key');
    expect(reply.statusCode).toBe(429);
    expect(reply.headers['retry-after']).toBe('3');
    expect(reply.body).toEqual({
      statusCode: 429,
      message: 'rate limit of 60 requests per minute exceeded; retry in 3 s',
      error: 'Too Many Requests',
    });
    expect(request.principal).toBeUndefined();
  });
});
