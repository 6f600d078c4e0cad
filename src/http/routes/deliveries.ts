/** Dead letters: list deliveries by state, replay one, or replay every dead one matching a filter. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CHANNELS } from '../../domain/channels.ts';
import { DELIVERY_STATES } from '../../domain/delivery-states.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import type { DeadLetterStore, DeliveryCursor } from '../../ports/dead-letters.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import { serviceAuth } from '../auth.ts';
import { DateTime, errorResponses, Uuid } from '../schemas.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../time-cursor.ts';

const encodeCursor = (c: DeliveryCursor) => encodeTimeCursor(c);
const decodeCursor = (text: string): DeliveryCursor => decodeTimeCursor(text, 'updatedAt');

const Filter = {
  channel: Type.Optional(Type.Enum(CHANNELS)),
  since: Type.Optional(Type.String({ format: 'date-time' })),
};

const DeliveryItem = Type.Object({
  id: Type.String(),
  notificationId: Type.String(),
  channel: Type.String(),
  recipient: Type.String(),
  status: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  provider: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  lastErrorCode: Type.Union([Type.String(), Type.Null()]),
  lastErrorMessage: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export function deliveriesRoutes(deps: {
  keys: ApiKeyStore;
  deadLetters: DeadLetterStore;
}): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));

    app.get(
      '/v1/deliveries',
      {
        schema: {
          tags: ['deliveries'],
          summary: 'Deliveries in one state (dead letters by default), oldest change first, paged by cursor.',
          security: [{ apiKey: [] }],
          querystring: Type.Object(
            {
              status: Type.Enum(DELIVERY_STATES, { default: 'dead' }),
              ...Filter,
              cursor: Type.Optional(Type.String({ maxLength: 500 })),
              limit: Type.Optional(Type.String({ pattern: '^(?:[1-9]\\d?|[1-4]\\d\\d|500)$' })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              data: Type.Array(DeliveryItem),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses(401, 422),
          },
        },
      },
      async (request) => {
        const q = request.query;
        const limit = Number(q.limit ?? 100);
        const rows = await deps.deadLetters.list(
          request.serviceId,
          { status: q.status, channel: q.channel, since: q.since ? new Date(q.since) : undefined },
          q.cursor ? decodeCursor(q.cursor) : null,
          limit,
        );
        const last = rows.at(-1);
        return {
          data: rows.map(({ cursor: _cursor, ...item }) => item),
          nextCursor: rows.length === limit && last ? encodeCursor(last.cursor) : null,
        };
      },
    );

    app.post(
      '/v1/deliveries/:id/retry',
      {
        schema: {
          tags: ['deliveries'],
          summary: 'Replay one dead delivery with a fresh retry budget.',
          security: [{ apiKey: [] }],
          params: Type.Object({ id: Uuid }),
          response: {
            202: Type.Object({ id: Type.String(), status: Type.Literal('queued') }),
            ...errorResponses(401, 404, 409),
          },
        },
      },
      async (request, reply) => {
        const result = await deps.deadLetters.retry(request.serviceId, request.params.id);
        if (result === 'not_found') throw notFound('delivery', request.params.id);
        if (result === 'not_dead') {
          throw conflict('not_replayable', 'Only dead deliveries can be replayed.', {
            id: request.params.id,
          });
        }
        return reply.status(202).send({ id: request.params.id, status: 'queued' as const });
      },
    );

    app.post(
      '/v1/deliveries/retry',
      {
        schema: {
          tags: ['deliveries'],
          summary: 'Replay every dead delivery matching the filter; answers how many were requeued.',
          security: [{ apiKey: [] }],
          body: Type.Object(Filter, { additionalProperties: false }),
          response: {
            202: Type.Object({ requeued: Type.Integer() }),
            ...errorResponses(400, 401, 415, 422),
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const requeued = await deps.deadLetters.retryMatching(request.serviceId, {
          channel: b.channel,
          since: b.since ? new Date(b.since) : undefined,
        });
        return reply.status(202).send({ requeued });
      },
    );
  };
}
