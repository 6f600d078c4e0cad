/**
 * Prometheus scrape endpoint on the API port. Metrics are the operator's: they count every
 * service's traffic, so they need the metrics token or the admin token. With a metrics port
 * configured, they are served there instead and this route does not exist.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { MetricsExposition } from '../../ports/metrics.ts';
import { tokensEqual } from '../../domain/api-keys.ts';
import { unauthorized } from '../../domain/errors.ts';
import { bearer } from '../auth.ts';
import { errorResponses } from '../schemas.ts';

export function metricsRoutes(deps: {
  metrics: MetricsExposition;
  /** Bearer tokens that may read /metrics (the metrics token, the admin token); none set, nobody may. */
  metricsTokens: readonly (string | undefined)[];
}): FastifyPluginAsync {
  const tokens = deps.metricsTokens.filter((t): t is string => typeof t === 'string' && t.length > 0);
  return async (app) => {
    app.get(
      '/metrics',
      {
        onRequest: async (request) => {
          const token = bearer(request);
          if (!token || !tokens.some((t) => tokensEqual(token, t)))
            throw unauthorized(
              'Metrics need `Authorization: Bearer <HERALD_METRICS_TOKEN or the admin token>`, or a metrics port.',
            );
        },
        schema: {
          tags: ['health'],
          summary: 'Prometheus metrics (text exposition format); needs the metrics or the admin token.',
          security: [{ metrics: [] }, { admin: [] }],
          response: { ...errorResponses(401) },
        },
      },
      async (_request, reply) => {
        return reply.type(deps.metrics.contentType).send(await deps.metrics.render());
      },
    );
  };
}
