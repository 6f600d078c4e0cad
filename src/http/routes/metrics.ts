import type { FastifyPluginAsync } from 'fastify';
import type { PromMetrics } from '../../adapters/metrics/prom-metrics.ts';

/** Prometheus scrape endpoint. Left unauthenticated like /healthz: bind or firewall it as you do those. */
export function metricsRoutes(deps: { metrics: PromMetrics }): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/metrics',
      { schema: { tags: ['health'], summary: 'Prometheus metrics (text exposition format)' } },
      async (_request, reply) => {
        return reply.type(deps.metrics.contentType).send(await deps.metrics.render());
      },
    );
  };
}
