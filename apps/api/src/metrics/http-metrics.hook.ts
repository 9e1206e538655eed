import type { FastifyInstance } from 'fastify';
import type { MetricsRegistry } from './metrics.registry';

/**
 * Times every HTTP request on Fastify itself, so 404s and refusals are counted
 * too. Routes are labelled by their pattern (/v1/executions/:id), never by the
 * raw URL, so ids do not become label values.
 */
export const installHttpMetrics = (fastify: FastifyInstance, metrics: MetricsRegistry): void => {
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
};
