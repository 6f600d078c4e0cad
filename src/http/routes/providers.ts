/**
 * Provider health as the workers see it: each provider's circuit breaker and its recent error rate.
 * Each worker process keeps its own breakers and publishes them; the answer combines the workers
 * heard from lately (the worst state wins) and lists each one.
 *
 * The counts cover every service that shares a provider, so they are the operator's: a service
 * sees each breaker's state (whether its mail can go out) but not the others' volumes or the
 * workers behind them; those fields are null and empty for it.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { tokensEqual } from '../../domain/api-keys.ts';
import type { ProviderStatusStore } from '../../ports/provider-status.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import { bearer, serviceAuth } from '../auth.ts';
import { DateTime, errorResponses, NullableDateTime } from '../schemas.ts';

/** Workers publish every few seconds; one not heard from in this long is taken to be gone. */
const LIVE_MS = 30_000;
const SEVERITY = { unknown: 0, closed: 1, half_open: 2, open: 3 } as const;

export function providersRoutes(deps: {
  keys: ApiKeyStore;
  adminToken: string | undefined;
  providerStatus: ProviderStatusStore;
  providers: { name: string; channel: string }[];
}): FastifyPluginAsync {
  const asService = serviceAuth(deps.keys);
  // The admin or any service may look: provider health is the same for every tenant.
  const auth = async (request: FastifyRequest) => {
    const token = bearer(request);
    if (deps.adminToken && token && tokensEqual(token, deps.adminToken)) return;
    await asService(request);
  };
  const Count = Type.Union([Type.Integer(), Type.Null()]);
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/v1/providers',
      {
        onRequest: auth,
        schema: {
          tags: ['providers'],
          summary: 'Each provider: circuit breaker state and error rate over the last minute.',
          security: [{ apiKey: [] }, { admin: [] }],
          response: {
            200: Type.Object({
              data: Type.Array(
                Type.Object({
                  name: Type.String(),
                  channel: Type.String(),
                  state: Type.Enum(['unknown', 'closed', 'half_open', 'open']),
                  succeeded: Count,
                  failed: Count,
                  errorRate: Type.Union([Type.Number(), Type.Null()]),
                  workers: Type.Array(
                    Type.Object({
                      owner: Type.String(),
                      state: Type.String(),
                      openedAt: NullableDateTime,
                      succeeded: Type.Integer(),
                      failed: Type.Integer(),
                      updatedAt: DateTime,
                    }),
                  ),
                }),
              ),
            }),
            ...errorResponses(401),
          },
        },
      },
      async (request) => {
        const operator = request.serviceId === undefined;
        const rows = await deps.providerStatus.list(LIVE_MS);
        return {
          data: deps.providers.map(({ name, channel }) => {
            const workers = rows.filter((r) => r.provider === name);
            let state: keyof typeof SEVERITY = 'unknown';
            for (const w of workers) if (SEVERITY[w.state] > SEVERITY[state]) state = w.state;
            // The counts and the workers are the operator's: a service sees the state alone.
            if (!operator)
              return { name, channel, state, succeeded: null, failed: null, errorRate: null, workers: [] };
            const succeeded = workers.reduce((n, w) => n + w.succeeded, 0);
            const failed = workers.reduce((n, w) => n + w.failed, 0);
            return {
              name,
              channel,
              state,
              succeeded,
              failed,
              errorRate: succeeded + failed > 0 ? failed / (succeeded + failed) : null,
              workers: workers.map(({ owner, state: s, openedAt, succeeded: ok, failed: ko, updatedAt }) => ({
                owner,
                state: s,
                openedAt,
                succeeded: ok,
                failed: ko,
                updatedAt,
              })),
            };
          }),
        };
      },
    );
  };
}
