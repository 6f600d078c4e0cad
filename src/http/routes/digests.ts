import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import type { WorkflowStore } from '../../ports/workflow-store.ts';
import { serviceAuth } from '../auth.ts';
import { errorResponses, TypeKey, Uuid } from '../schemas.ts';
import { DigestOut } from '../workflow-schemas.ts';

/** Digests gathered by `digest` steps: look into an open one, or send it before its window ends. */
export function digestsRoutes(deps: {
  keys: ApiKeyStore;
  store: WorkflowStore;
  clock: Clock;
}): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));
    const security = [{ apiKey: [] }];
    const params = Type.Object({ id: Uuid });

    app.get(
      '/v1/digests',
      {
        schema: {
          tags: ['digests'],
          summary: 'Digests of the service, newest first (at most 100), without their items.',
          security,
          querystring: Type.Object(
            {
              recipient: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
              type: Type.Optional(TypeKey),
              status: Type.Optional(Type.Enum(['open', 'closed'])),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ data: Type.Array(DigestOut) }), ...errorResponses(401, 422) },
        },
      },
      async (request) => ({ data: await deps.store.list(request.serviceId, request.query) }),
    );

    app.get(
      '/v1/digests/:id',
      {
        schema: {
          tags: ['digests'],
          summary: 'One digest and the events it gathered so far, oldest first.',
          security,
          params,
          response: { 200: DigestOut, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const d = await deps.store.view(request.serviceId, request.params.id);
        if (!d) throw notFound('digest', request.params.id);
        return d;
      },
    );

    app.post(
      '/v1/digests/:id/release',
      {
        schema: {
          tags: ['digests'],
          summary:
            'Close an open digest now and send its message; later events open a new one. Harmless to repeat.',
          security,
          params,
          response: { 200: DigestOut, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const d = await deps.store.release(request.serviceId, request.params.id, deps.clock.now());
        if (!d) throw notFound('digest', request.params.id);
        return d;
      },
    );
  };
}
