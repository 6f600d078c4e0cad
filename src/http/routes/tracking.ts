/**
 * The public ends of open and click tracking. The signed token is the only credential; a token that
 * does not verify gets an error and never a redirect, and a click redirects only to the URL its token
 * signs together with the delivery (one that was in the message), and only when that URL's host is
 * one the sending service registered (`PUT /v1/service/link-hosts`). Any other destination gets a
 * page that names it and lets the reader choose: Herald is no open redirect for a service's links.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { forbidden, HeraldError, linkExpired } from '../../domain/errors.ts';
import type { TrackingLinks } from '../../app/tracking-links.ts';
import type { LinkHostStore, TrackingStore } from '../../ports/tracking.ts';
import type { RateLimiter } from '../../ports/rate-limit.ts';
import { clientIpRateLimit } from '../rate-limit.ts';
import { errorResponses } from '../schemas.ts';
import { TRACKING_TOKEN_MAX_LENGTH } from '../../domain/tracking.ts';
import { linkHostAllowed } from '../../domain/link-hosts.ts';
import { leavingPageHtml } from '../../web/preference-page-html.ts';

/** The smallest transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const params = Type.Object({ token: Type.String({ minLength: 1, maxLength: TRACKING_TOKEN_MAX_LENGTH }) });

export function trackingRoutes(deps: {
  links: TrackingLinks;
  store: TrackingStore;
  linkHosts: Pick<LinkHostStore, 'forDelivery'>;
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
          summary:
            'Click redirect from an HTML email: records the click and redirects to the link it signs ' +
            'when its host is one the service registered; otherwise answers a page naming the destination.',
          params,
          response: {
            200: Type.Unsafe({ type: 'string', description: 'The leaving page (text/html)' }),
            302: Type.Null(),
            ...errorResponses(403, 410, 429),
          },
        },
      },
      async (request, reply) => {
        const checked = deps.links.verify(request.params.token);
        if (!checked.ok && checked.reason === 'expired') throw linkExpired('This link has expired.');
        const t = checked.ok ? checked.token : null;
        if (t?.kind !== 'click') throw forbidden('This link is not one Herald made.');
        const [hosts] = await Promise.all([
          // Unknown hosts are the safe answer if the lookup fails: the reader still gets there.
          deps.linkHosts.forDelivery(t.deliveryId).catch((err: unknown) => {
            deps.onError(err);
            return [];
          }),
          record(t.deliveryId, 'click', t.url),
        ]);
        void reply.header('cache-control', 'no-store, private');
        if (linkHostAllowed(t.url, hosts)) return reply.redirect(t.url, 302);
        return reply
          .header('content-type', 'text/html; charset=utf-8')
          .header('referrer-policy', 'no-referrer')
          .header(
            'content-security-policy',
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
          )
          .send(leavingPageHtml(t.url));
      },
    );
  };
}
