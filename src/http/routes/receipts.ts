/**
 * Delivery receipts from providers: `POST /v1/receipts/{provider}`, where `provider` is the name of a
 * configured provider that takes receipts. Each request is authenticated by the provider's own
 * signature scheme (its module's receipt endpoint) before anything is read from it; a wrong or
 * missing signature is a 401 and changes nothing.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../../domain/errors.ts';
import type { ReceiptEndpoint } from '../../ports/receipt-endpoint.ts';
import type { ReceiptStore } from '../../ports/receipts.ts';
import { errorResponses } from '../schemas.ts';

export interface ReceiptRoutesDeps {
  receipts: ReceiptStore;
  /** By provider name. */
  endpoints: ReadonlyMap<string, ReceiptEndpoint>;
  /** Herald's public URL: providers sign the URL they called, which a proxy may have rewritten. */
  publicUrl?: string | undefined;
}

const header = (r: FastifyRequest, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function receiptsRoutes(deps: ReceiptRoutesDeps): FastifyPluginAsync {
  return async (fastify) => {
    // Signatures cover the exact bytes received, so every body is kept as text here.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/v1/receipts/:provider',
      {
        schema: {
          tags: ['receipts'],
          summary:
            'Delivery receipts from a provider (Twilio, Plivo, SendGrid, SES via SNS), signature-checked.',
          params: Type.Object({ provider: Type.String({ pattern: '^[a-z0-9_-]{1,64}$' }) }),
          response: {
            200: Type.Object({ received: Type.Integer(), applied: Type.Integer(), unknown: Type.Integer() }),
            ...errorResponses(400, 401, 404),
          },
        },
      },
      async (request) => {
        const name = request.params.provider;
        const endpoint = deps.endpoints.get(name);
        if (!endpoint) throw notFound('Receipt endpoint', name);
        const base = deps.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
        const receipts = await endpoint.read({
          url: `${base}${request.url}`,
          header: (h) => header(request, h.toLowerCase()),
          raw: typeof request.body === 'string' ? request.body : '',
        });
        let applied = 0;
        let unknown = 0;
        for (const r of receipts) {
          const outcome = await deps.receipts.apply(r);
          if (outcome === 'applied') applied++;
          if (outcome === 'unknown_delivery') unknown++;
        }
        return { received: receipts.length, applied, unknown };
      },
    );
  };
}
