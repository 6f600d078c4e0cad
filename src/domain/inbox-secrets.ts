/**
 * Recipient credentials for the inbox. A service proves to Herald which of its users a browser acts
 * for, without Herald knowing the service's user accounts: its backend signs the recipient id with the
 * service's inbox secret, either as a plain HMAC (long-lived, like Intercom's identity verification)
 * or inside a short-lived HS256 JWT. Only the service's backend and Herald hold the secret.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** `his_` + 256 random bits: recognisable in a leaked config, and long enough for HS256. */
export function generateInboxSecret(random: (n: number) => Buffer = randomBytes): string {
  return `his_${random(32).toString('base64url')}`;
}

/** What the service's backend computes: hex HMAC-SHA256 of the recipient id, keyed by the secret. */
export function recipientHmac(secret: string, recipientId: string): string {
  return createHmac('sha256', secret).update(recipientId, 'utf8').digest('hex');
}

export function recipientHmacMatches(secret: string, recipientId: string, given: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(given)) return false;
  const expected = Buffer.from(recipientHmac(secret, recipientId), 'hex');
  return timingSafeEqual(expected, Buffer.from(given.toLowerCase(), 'hex'));
}

/** Single-use tickets for WebSocket/SSE URLs: 192 random bits shown once; only a hash is stored. */
export function generateTicket(random: (n: number) => Buffer = randomBytes): {
  ticket: string;
  hash: string;
} {
  const ticket = `hit_${random(24).toString('base64url')}`;
  return { ticket, hash: hashTicket(ticket) };
}

export const hashTicket = (ticket: string): string => createHash('sha256').update(ticket).digest('hex');
