import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { acceptNotification, type AcceptDeps } from '../../app/accept.ts';
import { notFound } from '../../domain/errors.ts';
import { statusWithEscalation } from '../../domain/workflow-steps.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { NotificationCanceller } from '../../ports/audience-store.ts';
import type { WorkflowStore } from '../../ports/workflow-store.ts';
import { serviceAuth } from '../auth.ts';
import type { BatchDeps } from '../../app/accept-batch.ts';
import { notificationsBatchRoute } from './notifications-batch.ts';
import { errorResponses, NotificationRequestSchema, NotificationSchema, Uuid } from '../schemas.ts';

export function notificationsRoutes(
  deps: AcceptDeps &
    BatchDeps & {
      keys: ApiKeyStore;
      metrics: Metrics;
      canceller?: NotificationCanceller | undefined;
      workflows?: { store: Pick<WorkflowStore, 'timeline'> } | undefined;
      bodyLimit?: number;
    },
): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));

    app.post(
      '/v1/notifications',
      {
        // Two access-log lines per notification cost a tenth of the API's CPU at load; failures are
        // still logged, and /metrics counts what was accepted.
        logLevel: 'warn',
        schema: {
          tags: ['notifications'],
          summary: 'Send a notification. 202 means it is stored durably and will reach a final state.',
          security: [{ apiKey: [] }],
          headers: Type.Object({
            'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
          }),
          body: NotificationRequestSchema,
          response: {
            202: Type.Object({ id: Type.String(), status: Type.Literal('accepted') }),
            ...errorResponses(400, 401, 409, 413, 415, 422),
          },
        },
      },
      async (request, reply) => {
        const headerKey = request.headers['idempotency-key'];
        const accepted = await acceptNotification(
          deps,
          request.serviceId,
          request.body,
          typeof headerKey === 'string' ? headerKey : undefined,
        );
        if (accepted.replayed) void reply.header('idempotent-replayed', 'true');
        else deps.metrics.notificationAccepted(request.body.priority ?? 'normal');
        return reply.status(202).send({ id: accepted.id, status: accepted.status });
      },
    );

    notificationsBatchRoute(fastify, deps);

    app.get(
      '/v1/notifications/:id',
      {
        schema: {
          tags: ['notifications'],
          summary:
            'A notification, each of its deliveries, every attempt, and its workflow steps’ decisions.',
          security: [{ apiKey: [] }],
          params: Type.Object({ id: Uuid }),
          response: { 200: NotificationSchema, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        // What the type's workflow steps decided (waiting, throttled, digested), when it has any. A
        // decision commits with the status it sets, and decisions are only ever added: when the
        // timeline reads the same before and after the notification, the two agree (read once each,
        // a view could say `accepted` beside a `waiting` decision, or `completed` beside none).
        const timeline = async () => (await deps.workflows?.store.timeline(request.params.id)) ?? [];
        let steps = await timeline();
        let view = await deps.notifications.view(request.serviceId, request.params.id);
        for (let tries = 0; view && tries < 3; tries++) {
          const again = await timeline();
          if (again.length === steps.length) break;
          steps = again;
          view = await deps.notifications.view(request.serviceId, request.params.id);
        }
        if (!view) throw notFound('notification', request.params.id);
        if (steps.length === 0) return view;
        // Between an escalation's stages the first stage's deliveries are final, yet more may be sent.
        const status = statusWithEscalation(view.status, steps);
        return { ...view, status, outcome: status === 'completed' ? view.outcome : null, steps };
      },
    );

    const { canceller } = deps;
    if (canceller) {
      app.post(
        '/v1/notifications/:id/cancel',
        {
          schema: {
            tags: ['notifications'],
            summary:
              'Stop what has not been sent: planning stops, and deliveries not yet tried end `cancelled`. Harmless to repeat.',
            security: [{ apiKey: [] }],
            params: Type.Object({ id: Uuid }),
            response: {
              200: Type.Object({ id: Type.String(), cancelledDeliveries: Type.Integer() }),
              ...errorResponses(401, 404),
            },
          },
        },
        async (request) => {
          const done = await canceller.cancel(request.serviceId, request.params.id);
          if (!done) throw notFound('notification', request.params.id);
          return { id: request.params.id, ...done };
        },
      );
    }
  };
}
