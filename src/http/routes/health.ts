import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

export function healthRoutes(deps: {
  ready(): Promise<{ ok: boolean; checks: Record<string, boolean> }>;
}): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['health'],
          summary: 'The process is up.',
          response: { 200: Type.Object({ status: Type.Literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );
    const Ready = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.Boolean()) });
    app.get(
      '/readyz',
      {
        schema: {
          tags: ['health'],
          summary: 'The database answers and its schema is current.',
          response: { 200: Ready, 503: Ready },
        },
      },
      async (_request, reply) => {
        const { ok, checks } = await deps.ready();
        return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', checks });
      },
    );
  };
}
