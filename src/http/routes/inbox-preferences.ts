/**
 * The recipient's own preferences, with the inbox's recipient credentials (JWT or HMAC), so a
 * preference centre in the browser needs no backend of the service's to forward them. The same
 * settings and merge as `/v1/recipients/{id}/preferences`, for the authenticated recipient only.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { notFound } from '../../domain/errors.ts';
import { mergePreferences } from '../../domain/preferences.ts';
import type { RecipientAuthDeps } from '../../app/inbox-auth.ts';
import type { PreferenceStore } from '../../ports/preferences-store.ts';
import type { RateLimiter } from '../../ports/rate-limit.ts';
import { cors, recipientAuth } from '../inbox-auth.ts';
import { PreferencesOut, PreferencesPatch } from '../preference-schemas.ts';
import { errorResponses } from '../schemas.ts';

export interface InboxPreferenceDeps extends RecipientAuthDeps {
  preferences: PreferenceStore;
  recipientLimiter?: RateLimiter | undefined;
}

const security: Record<string, string[]>[] = [{ recipientJwt: [] }, { recipientHmac: [] }];

export function inboxPreferencesRoutes(deps: InboxPreferenceDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // The CORS preflight for /v1/inbox/* is answered by the inbox routes.
    app.addHook('onRequest', cors);
    app.addHook('onRequest', recipientAuth(deps, deps.recipientLimiter));

    app.get(
      '/v1/inbox/preferences',
      {
        schema: {
          tags: ['inbox'],
          summary: "The recipient's own settings (unset keys follow the service defaults).",
          security,
          response: { 200: PreferencesOut, ...errorResponses(401, 404, 429) },
        },
      },
      async (request) => {
        const { serviceId, recipientId } = request.recipient;
        const prefs = await deps.preferences.get(serviceId, recipientId);
        if (!prefs) throw notFound('recipient', recipientId);
        return prefs;
      },
    );

    app.patch(
      '/v1/inbox/preferences',
      {
        schema: {
          tags: ['inbox'],
          summary:
            'Change some of the recipient’s own settings: switches merge, `null` removes a type or category rule. ' +
            'A merge, not a replacement, so two tabs changing different switches keep both changes.',
          security,
          body: PreferencesPatch,
          response: { 200: PreferencesOut, ...errorResponses(401, 404, 422, 429) },
        },
      },
      async (request) => {
        const { serviceId, recipientId } = request.recipient;
        const patch = request.body;
        const next = await deps.preferences.update(serviceId, recipientId, (current) =>
          mergePreferences(current, patch),
        );
        if (!next) throw notFound('recipient', recipientId);
        return next;
      },
    );
  };
}
