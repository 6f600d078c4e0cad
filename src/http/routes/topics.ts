import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalid } from '../../domain/errors.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import type { TopicStore } from '../../ports/audience-store.ts';
import { serviceAuth } from '../auth.ts';
import { errorResponses, RecipientId, TopicKey } from '../schemas.ts';

const Batch = Type.Object(
  { recipients: Type.Array(RecipientId, { minItems: 1, maxItems: 10_000 }) },
  { additionalProperties: false },
);

export function topicsRoutes(deps: { keys: ApiKeyStore; topics: TopicStore }): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));
    const params = Type.Object({ key: TopicKey });

    app.put(
      '/v1/topics/:key/subscribers',
      {
        schema: {
          tags: ['topics'],
          summary:
            'Subscribe recipients to a topic (made on first use). All or nothing: an unknown recipient refuses the batch.',
          security: [{ apiKey: [] }],
          params,
          body: Batch,
          response: {
            200: Type.Object({ topic: Type.String(), subscribed: Type.Integer() }),
            ...errorResponses(401, 413, 422),
          },
        },
      },
      async (request) => {
        const { key } = request.params;
        const { unknown } = await deps.topics.subscribe(request.serviceId, key, request.body.recipients);
        if (unknown.length > 0) {
          // Refused whole: the store subscribed none of the batch.
          throw invalid('unknown_recipient', `${unknown.length} of these recipients do not exist.`, {
            recipients: unknown.slice(0, 100),
          });
        }
        return { topic: key, subscribed: new Set(request.body.recipients).size };
      },
    );

    app.delete(
      '/v1/topics/:key/subscribers',
      {
        schema: {
          tags: ['topics'],
          summary: 'Unsubscribe recipients from a topic; ids that were not subscribed are ignored.',
          security: [{ apiKey: [] }],
          params,
          body: Batch,
          response: {
            200: Type.Object({ topic: Type.String(), removed: Type.Integer() }),
            ...errorResponses(401, 413, 422),
          },
        },
      },
      async (request) => {
        const { key } = request.params;
        const removed = await deps.topics.unsubscribe(request.serviceId, key, request.body.recipients);
        return { topic: key, removed };
      },
    );

    app.get(
      '/v1/topics/:key/subscribers',
      {
        schema: {
          tags: ['topics'],
          summary: 'Subscribers in id order; pass `nextCursor` back as `cursor` for the next page.',
          security: [{ apiKey: [] }],
          params,
          querystring: Type.Object(
            {
              cursor: Type.Optional(RecipientId),
              // Query strings are not coerced: 1 to 1000 as text.
              limit: Type.Optional(Type.String({ pattern: '^(?:[1-9]\\d{0,2}|1000)$' })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              topic: Type.String(),
              subscribers: Type.Array(Type.Object({ id: Type.String(), subscribedAt: Type.String() })),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses(401, 422),
          },
        },
      },
      async (request) => {
        const { key } = request.params;
        const limit = Number(request.query.limit ?? 100);
        const page = await deps.topics.list(request.serviceId, key, request.query.cursor ?? null, limit);
        return {
          topic: key,
          subscribers: page.map((s) => ({ id: s.id, subscribedAt: s.subscribedAt.toISOString() })),
          nextCursor: page.length === limit ? (page.at(-1)?.id ?? null) : null,
        };
      },
    );
  };
}
