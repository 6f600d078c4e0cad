/**
 * Recipient authentication for the inbox routes, and the CORS those routes need: the widget runs on
 * the service's own site and calls Herald from there. Credentials travel in headers only (never
 * cookies), so allowing any origin exposes nothing a page could not already send.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  authenticateRecipient,
  type RecipientAuthDeps,
  type RecipientCredentials,
} from '../app/inbox-auth.ts';
import { unauthorized } from '../domain/errors.ts';
import type { RecipientRef } from '../ports/inbox.ts';
import type { RateLimiter } from '../ports/rate-limit.ts';
import { bearer } from './auth.ts';
import { spendRecipientBudget } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    recipient: RecipientRef;
  }
}

const header = (request: FastifyRequest, name: string): string | null => {
  const v = request.headers[name];
  return typeof v === 'string' && v !== '' ? v : null;
};

/** Header values are Latin-1, recipient ids are not: the recipient header is sent URI-encoded. */
const decodeRecipient = (value: string): string | null => {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
};

export function credentialsOf(request: FastifyRequest): RecipientCredentials | null {
  const token = bearer(request);
  if (token) return { kind: 'jwt', token };
  const serviceId = header(request, 'x-herald-service');
  const recipient = header(request, 'x-herald-recipient');
  const hmac = header(request, 'x-herald-recipient-hmac');
  const recipientId = recipient === null ? null : decodeRecipient(recipient);
  if (serviceId && recipientId && hmac) return { kind: 'hmac', serviceId, recipientId, hmac };
  return null;
}

/** Authenticates the recipient, then spends one request of their budget (never a stranger's). */
export function recipientAuth(deps: RecipientAuthDeps, limiter?: RateLimiter) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.method === 'OPTIONS') return; // a CORS preflight carries no credentials, by design
    const creds = credentialsOf(request);
    if (!creds)
      throw unauthorized(
        'Send a recipient JWT as `Authorization: Bearer <jwt>`, or X-Herald-Service, X-Herald-Recipient and X-Herald-Recipient-Hmac.',
      );
    request.recipient = await authenticateRecipient(deps, creds);
    await spendRecipientBudget(limiter, request.recipient);
  };
}

export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PATCH, OPTIONS',
  'access-control-allow-headers':
    'authorization, content-type, last-event-id, x-herald-service, x-herald-recipient, x-herald-recipient-hmac',
  'access-control-max-age': '600',
};

export async function cors(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  void reply.headers(CORS_HEADERS);
}

/** Fastify logs request URLs; a ticket in one must not end up in anybody's log files. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]ticket=)[^&#]*/gi, '$1[redacted]');
}
