/**
 * The hosts a service's tracked links may redirect to without a leaving page (see domain/link-hosts.ts).
 * The list is replaced whole; an empty list sends every tracked click through the leaving page.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalid } from '../../domain/errors.ts';
import { MAX_LINK_HOSTS, normalizeLinkHost } from '../../domain/link-hosts.ts';
import type { LinkHostStore } from '../../ports/tracking.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import { serviceAuth } from '../auth.ts';
import { errorResponses } from '../schemas.ts';

const Hosts = Type.Object({ hosts: Type.Array(Type.String()) });

export function linkHostsRoutes(deps: { keys: ApiKeyStore; linkHosts: LinkHostStore }): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));

    app.get(
      '/v1/service/link-hosts',
      {
        schema: {
          tags: ['services'],
          summary: 'The hosts tracked clicks may redirect to directly.',
          security: [{ apiKey: [] }],
          response: { 200: Hosts, ...errorResponses(401) },
        },
      },
      async (request) => ({ hosts: await deps.linkHosts.get(request.serviceId) }),
    );

    app.put(
      '/v1/service/link-hosts',
      {
        schema: {
          tags: ['services'],
          summary:
            'Replace the hosts tracked clicks may redirect to directly (`shop.example`, `*.shop.example`); ' +
            'a click to any other host gets a page naming its destination.',
          security: [{ apiKey: [] }],
          body: Type.Object(
            {
              hosts: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: MAX_LINK_HOSTS }),
            },
            { additionalProperties: false },
          ),
          response: { 200: Hosts, ...errorResponses(401, 422) },
        },
      },
      async (request) => {
        const hosts = new Set<string>();
        const problems: { in: string; path: string; message: string }[] = [];
        request.body.hosts.forEach((entry, i) => {
          const n = normalizeLinkHost(entry);
          if ('host' in n) hosts.add(n.host);
          else problems.push({ in: 'body', path: `/hosts/${i}`, message: n.problem });
        });
        if (problems.length > 0)
          throw invalid(
            'validation_failed',
            `Invalid body: body${problems[0]?.path} ${problems[0]?.message}`,
            problems,
          );
        return { hosts: await deps.linkHosts.set(request.serviceId, [...hosts].sort()) };
      },
    );
  };
}
