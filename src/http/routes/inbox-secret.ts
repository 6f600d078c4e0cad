/**
 * The service's side of inbox authentication. The secret is retrievable with the service's API key,
 * not shown once: Herald must keep it in the clear anyway to check HMACs, the service's backend needs
 * it at runtime, and the API key already controls everything the secret protects. Rotating replaces
 * it at once; HMACs and JWTs made with the old one stop working. The answer carries the two keys a
 * backend signs with, one for HMACs and one for JWTs, derived from the secret (see inbox-secrets.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { generateInboxSecret, inboxKeys } from '../../domain/inbox-secrets.ts';
import { notFound } from '../../domain/errors.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import type { InboxSecretStore } from '../../ports/inbox.ts';
import { serviceAuth } from '../auth.ts';
import { DateTime, errorResponses } from '../schemas.ts';

const SecretOut = Type.Object({
  secret: Type.String({ description: 'The secret both keys are derived from (HKDF-SHA256).' }),
  hmacKey: Type.String({
    description: 'Key for X-Herald-Recipient-Hmac: hex HMAC-SHA256(hmacKey, recipientId).',
  }),
  jwtKey: Type.String({ description: 'Key for recipient JWTs (HS256).' }),
  rotatedAt: DateTime,
});

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
          summary: "Create or rotate the service's inbox secret, and the HMAC and JWT keys derived from it.",
          security: [{ apiKey: [] }],
          response: { 201: SecretOut, ...errorResponses(401) },
        },
      },
      async (request, reply) => {
        const secret = generateInboxSecret();
        const rotatedAt = await deps.secrets.set(request.serviceId, secret);
        return reply.status(201).send({ secret, ...inboxKeys(secret), rotatedAt });
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
        return { ...found, ...inboxKeys(found.secret) };
      },
    );
  };
}
