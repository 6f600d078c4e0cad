/**
 * A service's own provider credentials (e.g. its SendGrid key), stored encrypted. Write-only: the API
 * answers with names, types and dates, never with a secret. The rules for what a service may set are in
 * config-service-credentials.ts: every secret inline, and a URL field (a base URL, FCM's token URL) only
 * where the operator opened it. An opened URL is where Herald will send on the service's behalf, so it
 * goes through the same private-address check as webhook endpoints, here and again at every connection.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalid, notFound, unavailable } from '../../domain/errors.ts';
import type { ProviderCredentialStore } from '../../ports/provider-credentials.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import {
  credentialProblems,
  credentialUrls,
  isCredentialType,
  SERVICE_CREDENTIALS,
} from '../../config-service-credentials.ts';
import { serviceAuth } from '../auth.ts';
import { DateTime, errorResponses } from '../schemas.ts';

const Info = Type.Object({
  provider: Type.String(),
  type: Type.String(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
const Params = Type.Object({ name: Type.String({ pattern: '^[a-z0-9_-]{1,64}$' }) });

export function providerCredentialsRoutes(deps: {
  keys: ApiKeyStore;
  credentials: ProviderCredentialStore | undefined;
  /** Why Herald may not send to a URL; null when it may. */
  checkUrl(url: string): Promise<string | null>;
  /** The URL fields the operator opened to services on the configured provider `name` of `type`. */
  openUrlFields(name: string, type: string): readonly string[];
}): FastifyPluginAsync {
  const store = () => {
    if (!deps.credentials) throw unavailable('Set HERALD_SECRET_KEY to store provider credentials.');
    return deps.credentials;
  };
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));
    app.put(
      '/v1/providers/:name/credentials',
      {
        schema: {
          tags: ['providers'],
          summary: "Store this service's credentials for a provider (encrypted; never returned).",
          security: [{ apiKey: [] }],
          params: Params,
          body: Type.Object(
            {
              type: Type.Union(Object.keys(SERVICE_CREDENTIALS).map((t) => Type.Literal(t))),
              credentials: Type.Record(Type.String(), Type.Unknown()),
            },
            { additionalProperties: false },
          ),
          response: { 200: Info, ...errorResponses(401, 422, 503) },
        },
      },
      async (request) => {
        const type: string = request.body.type;
        const credentials = request.body.credentials;
        const problems = credentialProblems(type, credentials, deps.openUrlFields(request.params.name, type));
        if (!isCredentialType(type) || problems.length) {
          const details = problems.map((p) => ({
            in: 'body',
            path: `/credentials${p.path}`,
            message: p.message,
          }));
          throw invalid(
            'validation_failed',
            `Invalid ${type} credentials: ${details[0]?.path} ${details[0]?.message}`,
            details,
          );
        }
        const credentialStore = store();
        for (const { field, url } of credentialUrls(type, credentials)) {
          const problem = await deps.checkUrl(url);
          if (problem)
            throw invalid('validation_failed', `Invalid ${type} credentials: ${field} ${problem}.`, [
              { in: 'body', path: `/credentials/${field}`, message: problem },
            ]);
        }
        return credentialStore.put(request.serviceId, request.params.name, type, credentials);
      },
    );
    app.get(
      '/v1/providers/credentials',
      {
        schema: {
          tags: ['providers'],
          summary: 'Providers this service has credentials for (names and types only).',
          security: [{ apiKey: [] }],
          response: { 200: Type.Object({ data: Type.Array(Info) }), ...errorResponses(401, 503) },
        },
      },
      async (request) => ({ data: await store().list(request.serviceId) }),
    );
    app.delete(
      '/v1/providers/:name/credentials',
      {
        schema: {
          tags: ['providers'],
          summary: "Delete this service's credentials for a provider.",
          security: [{ apiKey: [] }],
          params: Params,
          response: { 204: Type.Null(), ...errorResponses(401, 404, 503) },
        },
      },
      async (request, reply) => {
        if (!(await store().remove(request.serviceId, request.params.name)))
          throw notFound('Provider credentials', request.params.name);
        return reply.status(204).send(null);
      },
    );
  };
}
