import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Links } from '../../app/links.ts';
import {
  pageModel,
  savePageForm,
  unsubscribeOneClick,
  type PageForm,
  type PreferencePageDeps,
} from '../../app/preference-page.ts';
import { forbidden, linkExpired, malformed, notFound } from '../../domain/errors.ts';
import { LINK_TOKEN_MAX_LENGTH, type LinkScope } from '../../domain/link-tokens.ts';
import { messagePageHtml, preferencePageHtml, unsubscribePageHtml } from '../../web/preference-page-html.ts';
import type { RateLimiter } from '../../ports/rate-limit.ts';
import { clientIpRateLimit } from '../rate-limit.ts';
import { errorResponses } from '../schemas.ts';
import { multipartFields } from '../multipart-fields.ts';

/**
 * Pages a recipient opens from a message, authorised by the signed token in the path alone.
 * The token is a credential in a URL, so these answers forbid caching, framing and referrers.
 */
export function publicPagesRoutes(
  deps: PreferencePageDeps & { links: Links; ipLimiter?: RateLimiter | undefined },
): FastifyPluginAsync {
  return async (fastify) => {
    // Counted before the body is read: anyone may call these, so the client address is the budget.
    if (deps.ipLimiter) fastify.addHook('onRequest', clientIpRateLimit(deps.ipLimiter));
    // Form bodies are accepted here only; the JSON API keeps refusing them with 415.
    await fastify.register(formbody, { bodyLimit: 64 * 1024 });
    fastify.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (request, body, done) => {
        const fields = multipartFields(body as string, request.headers['content-type'] ?? '');
        if (fields) done(null, fields);
        else done(malformed('The multipart body has no boundary.'), undefined);
      },
    );
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onSend', async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      void reply.header('referrer-policy', 'no-referrer');
      void reply.header('x-frame-options', 'DENY');
      void reply.header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      );
    });
    const params = Type.Object({ token: Type.String({ minLength: 1, maxLength: LINK_TOKEN_MAX_LENGTH }) });
    const html = (reply: FastifyReply, status: number, body: string) =>
      reply.status(status).type('text/html; charset=utf-8').send(body);
    const refusals = {
      expired: [410, 'Link expired', 'This link has expired. Use the link from your latest message.'],
      invalid: [403, 'Link not valid', 'This link is not valid. Use the link from your latest message.'],
    } as const;
    const denied = (reply: FastifyReply, reason: keyof typeof refusals) => {
      const [status, title, text] = refusals[reason];
      return html(reply, status, messagePageHtml(title, text));
    };
    const gone = (reply: FastifyReply) =>
      html(reply, 404, messagePageHtml('Not found', 'There are no preferences for this link any more.'));
    const pageSchema = { hide: true, params };

    const showPage = async (reply: FastifyReply, token: string, scope: LinkScope, saved: boolean) => {
      const model = await pageModel(deps, scope);
      if (!model) return gone(reply);
      return html(reply, 200, preferencePageHtml(model, `/p/${encodeURIComponent(token)}`, saved));
    };

    app.get('/p/:token', { schema: pageSchema }, async (request, reply) => {
      const checked = deps.links.verify(request.params.token);
      if (!checked.ok) return denied(reply, checked.reason);
      const { scope } = checked;
      return showPage(reply, request.params.token, scope, false);
    });

    app.post('/p/:token', { schema: pageSchema }, async (request, reply) => {
      const checked = deps.links.verify(request.params.token);
      if (!checked.ok) return denied(reply, checked.reason);
      const { scope } = checked;
      const form = (request.body ?? {}) as PageForm;
      if (!(await savePageForm(deps, scope, form))) return gone(reply);
      return showPage(reply, request.params.token, scope, true);
    });

    app.get('/u/:token', { schema: pageSchema }, async (request, reply) => {
      const checked = deps.links.verify(request.params.token);
      if (!checked.ok) return denied(reply, checked.reason);
      const token = encodeURIComponent(request.params.token);
      return html(reply, 200, unsubscribePageHtml(`/u/${token}`, false, `/p/${token}`));
    });

    app.post(
      '/u/:token',
      {
        schema: {
          tags: ['unsubscribe'],
          summary:
            'One-click unsubscribe (RFC 8058): POST `List-Unsubscribe=One-Click` as application/x-www-form-urlencoded ' +
            '(or the same field as multipart/form-data). ' +
            'Stops commercial notification types for the recipient the signed token names.',
          params,
          response: {
            200: {
              description: 'The page saying the recipient is unsubscribed',
              content: { 'text/html': { schema: { type: 'string' } } },
            },
            ...errorResponses(400, 403, 404, 410, 415, 429),
          },
        },
      },
      async (request, reply) => {
        const checked = deps.links.verify(request.params.token);
        if (!checked.ok && checked.reason === 'expired')
          throw linkExpired('The unsubscribe link has expired.');
        if (!checked.ok) throw forbidden('The unsubscribe link is not valid.');
        const { scope } = checked;
        const body = request.body as Record<string, unknown> | undefined;
        if (body?.['List-Unsubscribe'] !== 'One-Click') {
          throw malformed('The body must be List-Unsubscribe=One-Click (RFC 8058).');
        }
        if (!(await unsubscribeOneClick(deps, scope))) throw notFound('recipient', scope.recipientId);
        const token = encodeURIComponent(request.params.token);
        return html(reply, 200, unsubscribePageHtml(`/u/${token}`, true, `/p/${token}`));
      },
    );
  };
}
