import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../../domain/errors.ts';
import type { ApiKeyStore, RecipientStore } from '../../ports/store.ts';
import { serviceAuth } from '../auth.ts';
import { errorResponses, RecipientFieldsSchema, RecipientId, RecipientSchema } from '../schemas.ts';

export function recipientsRoutes(deps: {
  keys: ApiKeyStore;
  recipients: RecipientStore;
}): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));
    const params = Type.Object({ recipientId: RecipientId });

    app.put(
      '/v1/recipients/:recipientId',
      {
        schema: {
          tags: ['recipients'],
          summary: 'Create or update a recipient. Fields left out keep their value; null clears one.',
          security: [{ apiKey: [] }],
          params,
          body: RecipientFieldsSchema,
          response: { 200: RecipientSchema, 201: RecipientSchema, ...errorResponses(401, 413, 422) },
        },
      },
      async (request, reply) => {
        const { recipient, created } = await deps.recipients.upsert(
          request.serviceId,
          request.params.recipientId,
          request.body,
        );
        return reply.status(created ? 201 : 200).send(recipient);
      },
    );

    app.get(
      '/v1/recipients/:recipientId',
      {
        schema: {
          tags: ['recipients'],
          summary: 'One recipient, by the id the service gave it.',
          security: [{ apiKey: [] }],
          params,
          response: { 200: RecipientSchema, ...errorResponses(401, 404) },
        },
      },
      async (request) => {
        const recipient = await deps.recipients.get(request.serviceId, request.params.recipientId);
        if (!recipient) throw notFound('recipient', request.params.recipientId);
        return recipient;
      },
    );
  };
}
