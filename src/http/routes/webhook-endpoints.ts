/**
 * Outgoing status webhooks: a service's endpoints, the events each subscribes to, and each one's
 * delivery log. The signing secret is shown once, at creation. URLs that resolve to private,
 * loopback or link-local addresses are refused unless `allowPrivateWebhookUrls` is set.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalid, notFound } from '../../domain/errors.ts';
import { STATUS_EVENTS } from '../../domain/status-events.ts';
import type { WebhookEndpointStore } from '../../ports/status-webhooks.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import { serviceAuth } from '../auth.ts';
import { DateTime, errorResponses, NullableDateTime, Uuid } from '../schemas.ts';

const Url = Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' });
const Events = Type.Array(Type.Enum(STATUS_EVENTS), {
  minItems: 1,
  maxItems: STATUS_EVENTS.length,
  uniqueItems: true,
});
const Description = Type.String({ maxLength: 256 });

const Endpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  disabledAt: NullableDateTime,
  failingSince: NullableDateTime,
  createdAt: DateTime,
  updatedAt: DateTime,
});

export function webhookEndpointsRoutes(deps: {
  keys: ApiKeyStore;
  endpoints: WebhookEndpointStore;
  checkUrl(url: string): Promise<string | null>;
}): FastifyPluginAsync {
  const refuseBadUrl = async (url: string) => {
    const problem = await deps.checkUrl(url);
    if (problem)
      throw invalid('validation_failed', `The endpoint URL ${problem}.`, [
        { in: 'body', path: '/url', message: problem },
      ]);
  };
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));
    const tags = ['webhook-endpoints'];
    const security = [{ apiKey: [] }];

    app.post(
      '/v1/webhook-endpoints',
      {
        schema: {
          tags,
          security,
          summary:
            'Subscribe an endpoint to delivery status events; the answer holds its signing secret, once.',
          body: Type.Object(
            { url: Url, events: Events, description: Type.Optional(Description) },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Object({ ...Endpoint.properties, secret: Type.String() }),
            ...errorResponses(400, 401, 415, 422),
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        await refuseBadUrl(b.url);
        const secret = `whsec_${randomBytes(24).toString('base64')}`;
        const created = await deps.endpoints.create(request.serviceId, {
          id: randomUUID(),
          url: b.url,
          description: b.description ?? '',
          events: b.events,
          secret,
        });
        return reply.status(201).send({ ...created, secret });
      },
    );

    app.get(
      '/v1/webhook-endpoints',
      {
        schema: {
          tags,
          security,
          summary: "The service's webhook endpoints.",
          response: { 200: Type.Object({ data: Type.Array(Endpoint) }), ...errorResponses(401) },
        },
      },
      async (request) => ({ data: await deps.endpoints.list(request.serviceId) }),
    );

    app.get(
      '/v1/webhook-endpoints/:id',
      {
        schema: {
          tags,
          security,
          summary: 'One webhook endpoint.',
          params: Type.Object({ id: Uuid }),
          response: { 200: Endpoint, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const e = await deps.endpoints.get(request.serviceId, request.params.id);
        if (!e) throw notFound('webhook endpoint', request.params.id);
        return e;
      },
    );

    app.patch(
      '/v1/webhook-endpoints/:id',
      {
        schema: {
          tags,
          security,
          summary:
            'Change an endpoint; `enabled: true` re-enables a disabled one and resends what was given up.',
          params: Type.Object({ id: Uuid }),
          body: Type.Object(
            {
              url: Type.Optional(Url),
              events: Type.Optional(Events),
              description: Type.Optional(Description),
              enabled: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: Endpoint, ...errorResponses(400, 401, 404, 415, 422) },
        },
      },
      async (request) => {
        if (request.body.url !== undefined) await refuseBadUrl(request.body.url);
        const e = await deps.endpoints.update(request.serviceId, request.params.id, request.body);
        if (!e) throw notFound('webhook endpoint', request.params.id);
        return e;
      },
    );

    app.delete(
      '/v1/webhook-endpoints/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Remove an endpoint and its undelivered messages.',
          params: Type.Object({ id: Uuid }),
          response: { 204: Type.Null(), ...errorResponses(401, 404) },
        },
      },
      async (request, reply) => {
        if (!(await deps.endpoints.remove(request.serviceId, request.params.id)))
          throw notFound('webhook endpoint', request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/webhook-endpoints/:id/attempts',
      {
        schema: {
          tags,
          security,
          summary: "The endpoint's delivery log: every attempt, newest first, paged by `before`.",
          params: Type.Object({ id: Uuid }),
          querystring: Type.Object(
            {
              before: Type.Optional(Type.String({ pattern: '^[1-9]\\d{0,17}$' })),
              limit: Type.Optional(Type.String({ pattern: '^(?:[1-9]\\d?|[1-4]\\d\\d|500)$' })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              data: Type.Array(
                Type.Object({
                  id: Type.String(),
                  eventId: Type.String(),
                  eventType: Type.String(),
                  attempt: Type.Integer(),
                  startedAt: DateTime,
                  durationMs: Type.Integer(),
                  statusCode: Type.Union([Type.Integer(), Type.Null()]),
                  error: Type.Union([Type.String(), Type.Null()]),
                  messageStatus: Type.String(),
                }),
              ),
              nextBefore: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses(401, 404, 422),
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!(await deps.endpoints.get(request.serviceId, id))) throw notFound('webhook endpoint', id);
        const limit = Number(request.query.limit ?? 100);
        const rows = await deps.endpoints.attempts(
          request.serviceId,
          id,
          request.query.before ?? null,
          limit,
        );
        return { data: rows, nextBefore: rows.length === limit ? (rows.at(-1)?.id ?? null) : null };
      },
    );
  };
}
