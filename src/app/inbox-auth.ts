/**
 * Who is reading an inbox. Three ways in, all ending in one (service, recipient) pair:
 * - `Authorization: Bearer <JWT>`: HS256, signed with the JWT key derived from the service's inbox
 *   secret, `iss` = service id, `sub` = recipient id, `exp` required (short-lived tokens are the point);
 * - `X-Herald-Service` + `X-Herald-Recipient` + `X-Herald-Recipient-Hmac`: hex HMAC-SHA256 of the
 *   recipient id with the HMAC key derived from the secret (a different key: see inbox-secrets.ts);
 * - a ticket (for WebSocket/SSE URLs), made by one of the above and good for one connection.
 * Every failure is the same 401: which part was wrong is for the service's logs, not the caller's.
 */
import { unauthorized } from '../domain/errors.ts';
import { generateTicket, hashTicket, inboxKeys, recipientHmacMatches } from '../domain/inbox-secrets.ts';
import type { InboxSecretStore, RecipientRef, TicketStore } from '../ports/inbox.ts';

export type RecipientCredentials =
  { kind: 'jwt'; token: string } | { kind: 'hmac'; serviceId: string; recipientId: string; hmac: string };

export interface RecipientAuthDeps {
  secrets: InboxSecretStore;
  tickets: TicketStore;
  ticketTtlMs: number;
  now?: () => Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECIPIENT = /^[^\s\u0000-\u001f/]{1,256}$/;
const denied = () => unauthorized('The recipient credentials are missing or not valid.');

export async function authenticateRecipient(
  deps: RecipientAuthDeps,
  creds: RecipientCredentials,
): Promise<RecipientRef> {
  if (creds.kind === 'hmac') {
    if (!UUID.test(creds.serviceId) || !RECIPIENT.test(creds.recipientId)) throw denied();
    const secret = (await deps.secrets.get(creds.serviceId))?.secret;
    if (!secret || !recipientHmacMatches(secret, creds.recipientId, creds.hmac)) throw denied();
    return { serviceId: creds.serviceId, recipientId: creds.recipientId };
  }
  // jose is loaded at the first token sign-in; HMAC sign-ins and idle processes never need it.
  const { decodeJwt, jwtVerify } = await import('jose');
  let issuer: unknown;
  try {
    issuer = decodeJwt(creds.token).iss;
  } catch {
    throw denied();
  }
  if (typeof issuer !== 'string' || !UUID.test(issuer)) throw denied();
  const secret = (await deps.secrets.get(issuer))?.secret;
  if (!secret) throw denied();
  try {
    const { payload } = await jwtVerify(creds.token, new TextEncoder().encode(inboxKeys(secret).jwtKey), {
      algorithms: ['HS256'],
      issuer,
      requiredClaims: ['exp', 'sub'],
      ...(deps.now ? { currentDate: deps.now() } : {}),
    });
    if (typeof payload.sub !== 'string' || !RECIPIENT.test(payload.sub)) throw denied();
    return { serviceId: issuer, recipientId: payload.sub };
  } catch {
    throw denied();
  }
}

export async function issueTicket(
  deps: RecipientAuthDeps,
  r: RecipientRef,
): Promise<{ ticket: string; expiresAt: Date }> {
  const now = (deps.now ?? (() => new Date()))();
  const { ticket, hash } = generateTicket();
  const expiresAt = new Date(now.getTime() + deps.ticketTtlMs);
  await deps.tickets.issue(hash, r, expiresAt, now);
  return { ticket, expiresAt };
}

export async function redeemTicket(deps: RecipientAuthDeps, ticket: string): Promise<RecipientRef> {
  if (!/^hit_[A-Za-z0-9_-]{32}$/.test(ticket)) throw denied();
  const r = await deps.tickets.consume(hashTicket(ticket), (deps.now ?? (() => new Date()))());
  if (!r) throw unauthorized('The ticket is unknown, used or expired; ask for a new one.');
  return r;
}
