/**
 * The recipient's side of the inbox: list, counts, marks, and tickets for the realtime streams.
 * Every route is scoped to the authenticated recipient; another recipient's item id answers 404.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actOnItem, markAll, type InboxDeps } from '../../app/inbox.ts';
import { issueTicket, type RecipientAuthDeps } from '../../app/inbox-auth.ts';
import type { InboxHub } from '../../app/inbox-hub.ts';
import { INBOX_ACTIONS, PAGE_DEFAULT, PAGE_MAX } from '../../domain/inbox.ts';
import { notFound } from '../../domain/errors.ts';
import type { RateLimiter } from '../../ports/rate-limit.ts';
import type { RecipientRef } from '../../ports/inbox.ts';
import { cors, recipientAuth } from '../inbox-auth.ts';
import { DateTime, errorResponses, NullableDateTime, TypeKey, Uuid } from '../schemas.ts';

export interface InboxHttpDeps extends InboxDeps, RecipientAuthDeps {
  hub: InboxHub;
  /** Told to clients in `ready`, so they can tell a dead link from a quiet one. */
  heartbeatMs: number;
  /** Each recipient's request budget (service + recipient id); absent, recipients are not limited. */
  recipientLimiter?: RateLimiter | undefined;
  /** Open streams (WebSocket and SSE together) one recipient may hold on this process. */
  maxStreamsPerRecipient?: number | undefined;
  /** The same for one service's recipients together, and for the whole process. */
  maxStreamsPerService?: number | undefined;
  maxStreams?: number | undefined;
  /**
   * Whether the service has this recipient. Streams and tickets are only for recipients that exist:
   * a service that signs any id its users choose must not let them hold streams for made-up ones.
   */
  recipientExists(r: RecipientRef): Promise<boolean>;
}

const NullableString = Type.Unsafe<string | null>({ type: ['string', 'null'] });
export const InboxItemSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  title: Type.String(),
  body: Type.String(),
  actionUrl: NullableString,
  data: Type.Record(Type.String(), Type.Unknown()),
  collapseKey: NullableString,
  createdAt: DateTime,
  seenAt: NullableDateTime,
  readAt: NullableDateTime,
  archivedAt: NullableDateTime,
  expiresAt: NullableDateTime,
});
const Counts = Type.Object({ unread: Type.Integer(), unseen: Type.Integer() });
const recipientSecurity: Record<string, string[]>[] = [{ recipientJwt: [] }, { recipientHmac: [] }];

/** Streams and their tickets are for recipients the service has; a made-up id gets a 404. */
export async function mustExist(
  deps: Pick<InboxHttpDeps, 'recipientExists'>,
  r: RecipientRef,
): Promise<void> {
  if (!(await deps.recipientExists(r))) throw notFound('recipient', r.recipientId);
}

export function inboxRoutes(deps: InboxHttpDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', cors);
    app.options('/v1/inbox/*', { schema: { hide: true } }, async (_request, reply) =>
      reply.status(204).send(),
    );
    app.addHook('onRequest', recipientAuth(deps, deps.recipientLimiter));
    const now = () => (deps.now ?? (() => new Date()))();

    app.get(
      '/v1/inbox/items',
      {
        schema: {
          tags: ['inbox'],
          summary: `The recipient's items, newest first; \`limit\` 1–${PAGE_MAX} (default ${PAGE_DEFAULT}).`,
          description:
            'Pass `nextCursor` from one page as `cursor` for the next; it is null on the last page. ' +
            'Expired items are never listed. `archived` defaults to `exclude`.',
          security: recipientSecurity,
          querystring: Type.Object(
            {
              limit: Type.Optional(Type.String({ pattern: '^(?:[1-9]\\d?|100)$' })),
              cursor: Type.Optional(Uuid),
              status: Type.Optional(Type.Enum(['all', 'unread', 'read'])),
              archived: Type.Optional(Type.Enum(['exclude', 'include', 'only'])),
              type: Type.Optional(TypeKey),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              data: Type.Array(InboxItemSchema),
              nextCursor: NullableString,
            }),
            ...errorResponses(401, 422, 429),
          },
        },
      },
      async (request) => {
        const q = request.query;
        const limit = Number(q.limit ?? PAGE_DEFAULT);
        const data = await deps.store.list(
          request.recipient,
          {
            status: q.status ?? 'all',
            archived: q.archived ?? 'exclude',
            type: q.type,
            cursor: q.cursor,
            limit,
          },
          now(),
        );
        return { data, nextCursor: data.length === limit ? (data.at(-1)?.id ?? null) : null };
      },
    );

    app.get(
      '/v1/inbox/counts',
      {
        schema: {
          tags: ['inbox'],
          summary: 'Unread and unseen counts (archived and expired items excluded), and the last event id.',
          security: recipientSecurity,
          response: {
            200: Type.Intersect([Counts, Type.Object({ lastEventId: Type.String() })]),
            ...errorResponses(401, 429),
          },
        },
      },
      async (request) => {
        const [counts, lastSeq] = await Promise.all([
          deps.store.counts(request.recipient, now()),
          deps.store.lastSeq(request.recipient),
        ]);
        return { ...counts, lastEventId: String(lastSeq) };
      },
    );

    app.post(
      '/v1/inbox/items/:id/:action',
      {
        schema: {
          tags: ['inbox'],
          summary: 'Mark one item read, unread, seen, archived or unarchived.',
          security: recipientSecurity,
          params: Type.Object({ id: Uuid, action: Type.Enum(INBOX_ACTIONS) }),
          response: { 200: InboxItemSchema, ...errorResponses(401, 404, 429) },
        },
      },
      async (request) => actOnItem(deps, request.recipient, request.params.id, request.params.action),
    );

    for (const what of ['read', 'seen'] as const) {
      app.post(
        `/v1/inbox/${what}-all`,
        {
          schema: {
            tags: ['inbox'],
            summary: `Mark every live, unarchived item ${what}.`,
            security: recipientSecurity,
            response: { 200: Type.Object({ updated: Type.Integer() }), ...errorResponses(401, 429) },
          },
        },
        async (request) => ({ updated: await markAll(deps, request.recipient, what) }),
      );
    }

    app.post(
      '/v1/inbox/tickets',
      {
        schema: {
          tags: ['inbox'],
          summary: 'A single-use ticket for opening the WebSocket or SSE stream, valid for seconds.',
          description:
            'Browsers cannot set headers on WebSocket or EventSource requests, and URLs end up in logs; ' +
            'so the stream URL carries only this ticket, which works once and expires quickly. ' +
            'Only for a recipient the service has (404 otherwise).',
          security: recipientSecurity,
          response: {
            201: Type.Object({ ticket: Type.String(), expiresAt: DateTime }),
            ...errorResponses(401, 404, 429),
          },
        },
      },
      async (request, reply) => {
        await mustExist(deps, request.recipient);
        return reply.status(201).send(await issueTicket(deps, request.recipient));
      },
    );
  };
}
