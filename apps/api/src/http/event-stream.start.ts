import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';

/**
 * Takes the reply over from Fastify and starts a Server-Sent Events answer on
 * it, with `headers` besides the stream's own; the raw response is the
 * caller's to write and end from here on.
 */
export const startEventStream = (reply: FastifyReply, headers: Record<string, string> = {}): ServerResponse => {
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no', // a proxy in front must not hold events back
    ...headers,
  });
  return reply.raw;
};
