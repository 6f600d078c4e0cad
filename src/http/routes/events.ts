import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { acceptEvents, MAX_EVENT_BATCH, type ArrivalExpander } from '../../app/events.ts';
import { notFound } from '../../domain/errors.ts';
import type { EventStore } from '../../ports/events.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import { serviceAuth } from '../auth.ts';
import { DateTime, errorResponses, NullableDateTime } from '../schemas.ts';
import { EventName } from './triggers.ts';

const EventId = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[^\\s\\u0000-\\u001f/]+$',
  description: "The caller's id for this event: its idempotency key.",
});

const EventSchema = Type.Object(
  {
    id: EventId,
    name: EventName,
    payload: Type.Record(Type.String({ maxLength: 256 }), Type.Unknown(), { maxProperties: 1000 }),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

const Body = Type.Union([
  EventSchema,
  Type.Object(
    { events: Type.Array(EventSchema, { minItems: 1, maxItems: MAX_EVENT_BATCH }) },
    { additionalProperties: false },
  ),
]);

const Accepted = Type.Object({
  id: Type.String(),
  status: Type.Literal('accepted'),
  replayed: Type.Boolean(),
});

const Outcome = Type.Object({
  index: Type.Integer(),
  type: Type.String(),
  status: Type.Union([Type.Literal('created'), Type.Literal('skipped')]),
  reason: Type.Optional(Type.String()),
  notificationId: Type.Optional(Type.String()),
});

const EventView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  occurredAt: NullableDateTime,
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('processed'),
    Type.Literal('unmatched'),
    Type.Literal('dead'),
  ]),
  receivedAt: DateTime,
  processedAt: NullableDateTime,
  notifications: Type.Union([Type.Array(Outcome), Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()], {
    description: 'The broker source the event came from; null when it was sent to POST /v1/events.',
  }),
  error: Type.Union([Type.String(), Type.Null()], {
    description: 'Why a dead event (a broker message that could not be read) could not be read.',
  }),
});

export function eventsRoutes(deps: {
  keys: ApiKeyStore;
  events: EventStore;
  /** Expansion on arrival (`expandOnArrival`); without it the events lane expands every event. */
  expand?: ArrivalExpander;
}): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));

    app.post(
      '/v1/events',
      {
        schema: {
          tags: ['events'],
          summary: `Send one event, or \`{ "events": [...] }\` with up to ${MAX_EVENT_BATCH}. 202 means they are stored durably; each id is its idempotency key.`,
          security: [{ apiKey: [] }],
          body: Body,
          response: {
            202: Type.Union([Accepted, Type.Object({ events: Type.Array(Accepted) })]),
            ...errorResponses(400, 401, 409, 413, 415, 422),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const batch = 'events' in body ? body.events : [body];
        const results = await acceptEvents(deps.events, request.serviceId, batch, deps.expand);
        const answers = results.map((r) => ({ id: r.id, status: 'accepted' as const, replayed: r.replayed }));
        if ('events' in body) return reply.status(202).send({ events: answers });
        const [one] = answers as [(typeof answers)[number]];
        if (one.replayed) void reply.header('idempotent-replayed', 'true');
        return reply.status(202).send(one);
      },
    );

    app.get(
      '/v1/events/:id',
      {
        schema: {
          tags: ['events'],
          summary:
            "An event: whether it matched a rule, and each of the rule's notifications it created or skipped.",
          security: [{ apiKey: [] }],
          params: Type.Object({ id: EventId }),
          response: { 200: EventView, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const event = await deps.events.view(request.serviceId, request.params.id);
        if (!event) throw notFound('event', request.params.id);
        const { outcome, ...rest } = event;
        return { ...rest, notifications: outcome };
      },
    );
  };
}
