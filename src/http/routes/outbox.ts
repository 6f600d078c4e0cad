import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiKeyStore, OutboxStore } from '../../ports/store.ts';
import { serviceAuth } from '../auth.ts';
import { DateTime, errorResponses } from '../schemas.ts';

/** The capture outbox (embedded mode): what Herald would have sent, newest first. */
export function outboxRoutes(deps: { keys: ApiKeyStore; outbox: OutboxStore }): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/v1/outbox',
      {
        onRequest: serviceAuth(deps.keys),
        schema: {
          tags: ['outbox'],
          summary: 'Messages captured for channels with no provider (embedded mode).',
          security: [{ apiKey: [] }],
          querystring: Type.Object(
            { limit: Type.Optional(Type.String({ pattern: '^(?:[1-9]\\d?|[1-4]\\d\\d|500)$' })) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              data: Type.Array(
                Type.Object({
                  id: Type.String(),
                  deliveryId: Type.String(),
                  channel: Type.String(),
                  to: Type.String(),
                  content: Type.Record(Type.String(), Type.Unknown()),
                  createdAt: DateTime,
                }),
              ),
            }),
            ...errorResponses(401, 422),
          },
        },
      },
      async (request) => ({
        data: await deps.outbox.list(request.serviceId, Number(request.query.limit ?? 50)),
      }),
    );
  };
}
