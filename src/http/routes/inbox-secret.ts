/**
 * The service's side of inbox authentication. The secret is retrievable with the service's API key,
 * not shown once: Herald must keep it in the clear anyway to check HMACs, the service's backend needs
 * it at runtime, and the API key already controls everything the secret protects. Rotating replaces
 * it at once; HMACs and JWTs made with the old one stop working.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { generateInboxSecret } from '../../domain/inbox-secrets.ts';
import { notFound } from '../../domain/errors.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import type { InboxSecretStore } from '../../ports/inbox.ts';
import { serviceAuth } from '../auth.ts';
import { DateTime, errorResponses } from '../schemas.ts';

const SecretOut = Type.Object({ secret: Type.String(), rotatedAt: DateTime });

export function inboxSecretRoutes(deps: {
  keys: ApiKeyStore;
  secrets: InboxSecretStore;
}): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));

    app.post(
      '/v1/inbox/secret',
      {
        schema: {
          tags: ['inbox'],
          summary: "Create or rotate the service's inbox secret (signs recipient HMACs and JWTs).",
          security: [{ apiKey: [] }],
          response: { 201: SecretOut, ...errorResponses(401) },
        },
      },
      async (request, reply) => {
        const secret = generateInboxSecret();
        const rotatedAt = await deps.secrets.set(request.serviceId, secret);
        return reply.status(201).send({ secret, rotatedAt });
      },
    );

    app.get(
      '/v1/inbox/secret',
      {
        schema: {
          tags: ['inbox'],
          summary: "The service's current inbox secret.",
          security: [{ apiKey: [] }],
          response: { 200: SecretOut, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const found = await deps.secrets.get(request.serviceId);
        if (!found) throw notFound('inbox secret', request.serviceId);
        return found;
      },
    );
  };
}
