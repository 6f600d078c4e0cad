/**
 * The public ends of open and click tracking. The signed token is the only credential; a token that
 * does not verify gets an error and never a redirect, and a click redirects only to the URL its token
 * signs together with the delivery (one that was in the message).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { forbidden, HeraldError, linkExpired } from '../../domain/errors.ts';
import type { TrackingLinks } from '../../app/tracking-links.ts';
import type { TrackingStore } from '../../adapters/store/kysely-tracking.ts';
import type { RateLimiter } from '../../ports/rate-limit.ts';
import { clientIpRateLimit } from '../rate-limit.ts';
import { errorResponses } from '../schemas.ts';
import { TRACKING_TOKEN_MAX_LENGTH } from '../../domain/tracking.ts';

/** The smallest transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const params = Type.Object({ token: Type.String({ minLength: 1, maxLength: TRACKING_TOKEN_MAX_LENGTH }) });

export function trackingRoutes(deps: {
  links: TrackingLinks;
  store: TrackingStore;
  onError(err: unknown): void;
  /** Each client address's budget; provider receipts live elsewhere and are not counted. */
  ipLimiter?: RateLimiter | undefined;
}): FastifyPluginAsync {
  // Recording must not stand between the reader and the page they clicked to.
  const record = (deliveryId: string, kind: 'open' | 'click', url: string | null) =>
    deps.store.record(deliveryId, kind, url).catch((err: unknown) => deps.onError(err));
  return async (fastify) => {
    if (deps.ipLimiter) fastify.addHook('onRequest', clientIpRateLimit(deps.ipLimiter));
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/t/o/:token',
      {
        schema: {
          tags: ['tracking'],
          summary: 'Open pixel from an HTML email: records the open and answers a 1×1 GIF.',
          params,
          response: { 200: Type.Unsafe({ type: 'string', format: 'binary' }), ...errorResponses(404, 429) },
        },
      },
      async (request, reply) => {
        const checked = deps.links.verify(request.params.token);
        const t = checked.ok ? checked.token : null;
        // An expired pixel is simply not counted: nobody sees its answer.
        if (t?.kind !== 'open') throw new HeraldError('not_found', 404, 'No such tracking image.');
        await record(t.deliveryId, 'open', null);
        return reply
          .header('content-type', 'image/gif')
          .header('cache-control', 'no-store, private')
          .send(PIXEL);
      },
    );
    app.get(
      '/t/c/:token',
      {
        schema: {
          tags: ['tracking'],
          summary: 'Click redirect from an HTML email: records the click and redirects to the link it signs.',
          params,
          response: { 302: Type.Null(), ...errorResponses(403, 410, 429) },
        },
      },
      async (request, reply) => {
        const checked = deps.links.verify(request.params.token);
        if (!checked.ok && checked.reason === 'expired') throw linkExpired('This link has expired.');
        const t = checked.ok ? checked.token : null;
        if (t?.kind !== 'click') throw forbidden('This link is not one Herald made.');
        await record(t.deliveryId, 'click', t.url);
        return reply.header('cache-control', 'no-store, private').redirect(t.url, 302);
      },
    );
  };
}
