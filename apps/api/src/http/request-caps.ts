import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KeySlots } from './key-slots';

export interface RequestCapSettings {
  /** Request-body bytes read at once by this process, over all callers. */
  maxBodyBytesInFlight: number;
}

const refuse = (reply: FastifyReply, statusCode: 429 | 503, message: string, retryAfterSeconds: number) =>
  reply
    .code(statusCode)
    .header('retry-after', String(retryAfterSeconds))
    .send({ statusCode, message, error: statusCode === 429 ? 'Too Many Requests' : 'Service Unavailable' });

/** The bytes a request may bring: what it declares, never more than its route accepts; its whole limit when it declares nothing. */
const bodyBytesOf = (request: FastifyRequest): number => {
  const limit = request.routeOptions?.bodyLimit ?? 0;
  const declared = request.headers['content-length'];
  if (declared !== undefined) return Math.min(Number(declared) || 0, limit);
  return request.headers['transfer-encoding'] ? limit : 0;
};

/**
 * Bounds what callers can make one API process hold, before any body is read:
 * - request bodies being read and held at once, over all callers: past
 *   `maxBodyBytesInFlight`, a request with a body gets 503 with Retry-After;
 * - requests of one key being served at once (long polls and event streams
 *   included): past its `maxConcurrentRequests`, 429 with Retry-After.
 * What a request holds is given back when its response ends or its client goes.
 * Runs after the authenticator, which names the key.
 */
export const installRequestCaps = (fastify: FastifyInstance, { maxBodyBytesInFlight }: RequestCapSettings): void => {
  let bodyBytes = 0;
  const inProgress = new KeySlots();
  fastify.addHook('onRequest', async (request, reply) => {
    const principal = request.principal;
    if (principal) {
      const max = principal.quotas.maxConcurrentRequests;
      const release = inProgress.take(principal.keyId, max);
      if (!release) return refuse(reply, 429, `this API key already has ${max} requests in progress (its maximum)`, 1);
      reply.raw.once('close', release);
    }
    const bytes = bodyBytesOf(request);
    if (bytes === 0) return;
    if (bodyBytes + bytes > maxBodyBytesInFlight) {
      return refuse(reply, 503, 'the server is reading as many request bodies as it may at once: try again shortly', 1);
    }
    bodyBytes += bytes;
    reply.raw.once('close', () => (bodyBytes -= bytes));
  });
};
