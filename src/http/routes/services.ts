import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createApiKey, registerService, revokeApiKey, type ServicesDeps } from '../../app/services.ts';
import { notFound } from '../../domain/errors.ts';
import { adminAuth, serviceAuth } from '../auth.ts';
import { DateTime, NullableDateTime, errorResponses, NotificationTypeSchema, Uuid } from '../schemas.ts';

const ServiceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    notificationTypes: Type.Array(NotificationTypeSchema, { maxItems: 100, default: [] }),
  },
  { additionalProperties: false },
);
const ServiceOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  notificationTypes: Type.Array(Type.Object({ key: Type.String(), description: Type.String() })),
  createdAt: DateTime,
});
const KeyOut = Type.Object({
  id: Type.String(),
  publicId: Type.String(),
  label: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  revokedAt: NullableDateTime,
});

export function servicesRoutes(deps: ServicesDeps & { adminToken: string | undefined }): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const asService = serviceAuth(deps.keys);

    app.post(
      '/v1/services',
      {
        onRequest: adminAuth(deps.adminToken),
        schema: {
          tags: ['services'],
          summary: 'Register a service (admin token). The API key in the answer is shown only this once.',
          security: [{ admin: [] }],
          body: ServiceBody,
          response: {
            201: Type.Intersect([ServiceOut, Type.Object({ apiKey: Type.String() })]),
            ...errorResponses(401, 409, 413, 422),
          },
        },
      },
      async (request, reply) => {
        const created = await registerService(deps, request.body);
        return reply.status(201).send(created);
      },
    );

    app.get(
      '/v1/service',
      {
        onRequest: asService,
        schema: {
          tags: ['services'],
          summary: 'The calling service',
          security: [{ apiKey: [] }],
          response: { 200: ServiceOut, ...errorResponses(401) },
        },
      },
      async (request) => {
        const service = await deps.services.get(request.serviceId);
        if (!service) throw notFound('service', request.serviceId);
        return service;
      },
    );

    app.get(
      '/v1/api-keys',
      {
        onRequest: asService,
        schema: {
          tags: ['api keys'],
          summary: "The service's API keys (never their secrets).",
          security: [{ apiKey: [] }],
          response: { 200: Type.Object({ data: Type.Array(KeyOut) }), ...errorResponses(401) },
        },
      },
      async (request) => ({ data: await deps.keys.list(request.serviceId) }),
    );

    app.post(
      '/v1/api-keys',
      {
        onRequest: asService,
        schema: {
          tags: ['api keys'],
          summary: 'Create another key for the calling service; shown once.',
          security: [{ apiKey: [] }],
          body: Type.Object(
            { label: Type.Optional(Type.String({ maxLength: 128 })) },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Intersect([KeyOut, Type.Object({ apiKey: Type.String() })]),
            ...errorResponses(401, 422),
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await createApiKey(deps, request.serviceId, request.body?.label ?? null)),
    );

    app.delete(
      '/v1/api-keys/:keyId',
      {
        onRequest: asService,
        schema: {
          tags: ['api keys'],
          summary: 'Revoke a key; calls with it fail from now on.',
          security: [{ apiKey: [] }],
          params: Type.Object({ keyId: Uuid }),
          response: { 204: Type.Null(), ...errorResponses(401, 404) },
        },
      },
      async (request, reply) => {
        await revokeApiKey(deps, request.serviceId, request.params.keyId);
        return reply.status(204).send(null);
      },
    );
  };
}
