/**
 * Lists the operator dashboard needs: every service (admin only), notification search, and a
 * delivery's status history (service key; another service's ids answer 404).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DELIVERY_STATES } from '../../domain/delivery-states.ts';
import { notFound } from '../../domain/errors.ts';
import type { OperatorStore } from '../../ports/operator.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import { adminAuth, serviceAuth } from '../auth.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../time-cursor.ts';
import { DateTime, errorResponses, RecipientId, TypeKey, Uuid } from '../schemas.ts';

export function operatorRoutes(deps: {
  keys: ApiKeyStore;
  adminToken: string | undefined;
  operator: OperatorStore;
}): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/v1/admin/services',
      {
        onRequest: adminAuth(deps.adminToken),
        schema: {
          tags: ['admin'],
          summary: 'Every registered service (newest first, up to 1000), with its count of live keys.',
          security: [{ admin: [] }],
          response: {
            200: Type.Object({
              data: Type.Array(
                Type.Object({
                  id: Type.String(),
                  name: Type.String(),
                  createdAt: DateTime,
                  keys: Type.Integer(),
                }),
              ),
            }),
            ...errorResponses(401),
          },
        },
      },
      async () => ({ data: await deps.operator.services() }),
    );

    app.get(
      '/v1/notifications',
      {
        onRequest: serviceAuth(deps.keys),
        schema: {
          tags: ['notifications'],
          summary: 'Search notifications, newest first: by recipient, type, or a delivery state.',
          description:
            'Pass `nextCursor` from one page as `cursor` for the next; it is null on the last page. ' +
            '`before` (a time) still narrows the list, but rows sharing a timestamp can straddle two pages ' +
            'paged that way; the cursor never skips or repeats one.',
          security: [{ apiKey: [] }],
          querystring: Type.Object(
            {
              recipient: Type.Optional(RecipientId),
              type: Type.Optional(TypeKey),
              deliveryStatus: Type.Optional(Type.Enum(DELIVERY_STATES)),
              before: Type.Optional(Type.String({ format: 'date-time' })),
              cursor: Type.Optional(Type.String({ maxLength: 500 })),
              limit: Type.Optional(Type.String({ pattern: '^(?:[1-9]\\d?|100)$' })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              data: Type.Array(
                Type.Object({
                  id: Type.String(),
                  type: Type.String(),
                  recipientId: Type.Union([Type.String(), Type.Null()]),
                  status: Type.String(),
                  createdAt: DateTime,
                  deliveries: Type.Array(
                    Type.Object({ id: Type.String(), channel: Type.String(), status: Type.String() }),
                  ),
                }),
              ),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses(401, 422),
          },
        },
      },
      async (request) => {
        const q = request.query;
        const limit = Number(q.limit ?? 50);
        const rows = await deps.operator.searchNotifications({
          serviceId: request.serviceId,
          recipientId: q.recipient,
          type: q.type,
          deliveryStatus: q.deliveryStatus,
          before: q.before ? new Date(q.before) : undefined,
          after: q.cursor ? decodeTimeCursor(q.cursor, 'createdAt') : undefined,
          limit,
        });
        const last = rows.at(-1);
        return {
          data: rows.map(({ cursor: _cursor, ...row }) => row),
          nextCursor: rows.length === limit && last ? encodeTimeCursor(last.cursor) : null,
        };
      },
    );

    app.get(
      '/v1/deliveries/:id/history',
      {
        onRequest: serviceAuth(deps.keys),
        schema: {
          tags: ['deliveries'],
          summary:
            'Every reported state a delivery reached (sent, delivered, opened, failed, dead, …), oldest first.',
          security: [{ apiKey: [] }],
          params: Type.Object({ id: Uuid }),
          response: {
            200: Type.Object({
              data: Type.Array(
                Type.Object({
                  status: Type.String(),
                  reason: Type.Union([Type.String(), Type.Null()]),
                  provider: Type.Union([Type.String(), Type.Null()]),
                  at: DateTime,
                }),
              ),
            }),
            ...errorResponses(401, 404),
          },
        },
      },
      async (request) => {
        const rows = await deps.operator.statusLog(request.serviceId, request.params.id);
        if (!rows) throw notFound('delivery', request.params.id);
        return { data: rows };
      },
    );
  };
}
