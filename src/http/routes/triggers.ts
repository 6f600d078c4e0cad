import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { saveRule } from '../../app/events.ts';
import { CHANNELS } from '../../domain/channels.ts';
import { notFound } from '../../domain/errors.ts';
import type { TemplateRenderer } from '../../domain/templates.ts';
import { PRIORITIES } from '../../domain/types.ts';
import type { StoredRule, TriggerRuleStore } from '../../ports/events.ts';
import type { NotificationTypeStore } from '../../ports/preferences-store.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import { serviceAuth } from '../auth.ts';
import { DateTime, errorResponses, RecipientId, TypeKey } from '../schemas.ts';

export const EventName = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
  description: 'An event name such as `trade.executed`.',
});

const Pointer = Type.String({
  maxLength: 512,
  description: 'A JSON Pointer into the payload, e.g. `/userId`.',
});

const To = Type.Union([
  Type.Object({ recipient: Pointer }, { additionalProperties: false }),
  Type.Object(
    { recipients: Type.Union([Type.Array(RecipientId, { minItems: 1, maxItems: 1000 }), Pointer]) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      topic: Type.String({
        minLength: 1,
        maxLength: 1000,
        description: 'A topic key, or a template over the payload: `trader:{{ traderId }}`.',
      }),
    },
    { additionalProperties: false },
  ),
]);

const RuleNotificationSchema = Type.Object(
  {
    type: TypeKey,
    to: To,
    channels: Type.Optional(Type.Array(Type.Enum(CHANNELS), { minItems: 1, maxItems: 6, uniqueItems: true })),
    priority: Type.Optional(Type.Enum(PRIORITIES)),
    condition: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: 'A LiquidJS expression over the payload.' }),
    ),
    data: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Pointer, {
        maxProperties: 200,
        description: 'Left out: the whole payload. Else each key takes the value at its pointer.',
      }),
    ),
  },
  { additionalProperties: false },
);

const RuleBody = Type.Object(
  { notifications: Type.Array(RuleNotificationSchema, { minItems: 1, maxItems: 20 }) },
  { additionalProperties: false },
);

const RuleView = Type.Object({
  event: Type.String(),
  notifications: Type.Array(Type.Unknown()),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const view = (r: StoredRule) => ({
  event: r.event,
  notifications: r.notifications,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export function triggersRoutes(deps: {
  keys: ApiKeyStore;
  rules: TriggerRuleStore;
  types: NotificationTypeStore;
  renderer: TemplateRenderer;
}): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // Authentication before validation: an anonymous caller learns nothing about the body's shape.
    app.addHook('onRequest', serviceAuth(deps.keys));
    const params = Type.Object({ event: EventName });

    app.put(
      '/v1/triggers/:event',
      {
        schema: {
          tags: ['events'],
          summary:
            'Save the rule that turns this event into notifications. Checked when saved: types, pointers, templates and the condition; a 422 names each path.',
          security: [{ apiKey: [] }],
          params,
          body: RuleBody,
          response: { 200: RuleView, 201: RuleView, ...errorResponses(401, 413, 422) },
        },
      },
      async (request, reply) => {
        const { rule, created } = await saveRule(
          deps,
          request.serviceId,
          request.params.event,
          request.body.notifications,
        );
        return reply.status(created ? 201 : 200).send(view(rule));
      },
    );

    app.get(
      '/v1/triggers/:event',
      {
        schema: {
          tags: ['events'],
          summary: 'The rule for this event.',
          security: [{ apiKey: [] }],
          params,
          response: { 200: RuleView, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const rule = await deps.rules.get(request.serviceId, request.params.event);
        if (!rule) throw notFound('trigger rule', request.params.event);
        return view(rule);
      },
    );

    app.delete(
      '/v1/triggers/:event',
      {
        schema: {
          tags: ['events'],
          summary: 'Remove the rule; later events of this name are recorded as unmatched.',
          security: [{ apiKey: [] }],
          params,
          response: { 204: Type.Null(), ...errorResponses(401, 404) },
        },
      },
      async (request, reply) => {
        if (!(await deps.rules.delete(request.serviceId, request.params.event)))
          throw notFound('trigger rule', request.params.event);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/triggers',
      {
        schema: {
          tags: ['events'],
          summary: 'Rules in event-name order; pass `nextCursor` back as `cursor` for the next page.',
          security: [{ apiKey: [] }],
          querystring: Type.Object(
            {
              cursor: Type.Optional(EventName),
              limit: Type.Optional(Type.String({ pattern: '^(?:[1-9]\\d{0,1}|100)$' })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              triggers: Type.Array(RuleView),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses(401, 422),
          },
        },
      },
      async (request) => {
        const limit = Number(request.query.limit ?? 100);
        const page = await deps.rules.list(request.serviceId, request.query.cursor ?? null, limit);
        return {
          triggers: page.map(view),
          nextCursor: page.length === limit ? (page.at(-1)?.event ?? null) : null,
        };
      },
    );
  };
}
