/**
 * Recipient credentials for the inbox. A service proves to Herald which of its users a browser acts
 * for, without Herald knowing the service's user accounts: its backend signs the recipient id with a
 * key derived from the service's inbox secret, either as a plain HMAC (long-lived, like Intercom's
 * identity verification) or inside a short-lived HS256 JWT. Only the service's backend and Herald
 * hold the secret and its keys.
 *
 * The two kinds use two keys, derived with HKDF-SHA256 under distinct labels. With one key for both,
 * an HS256 JWT's signature is exactly the HMAC of `header.payload`: a service that signs whatever id
 * its user chose would hand out, for an id shaped like `header.payload`, a valid JWT for any other
 * recipient. Under separate keys an HMAC says nothing about any JWT, and the reverse.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** `his_` + 256 random bits: recognisable in a leaked config, and long enough for HS256. */
export function generateInboxSecret(random: (n: number) => Buffer = randomBytes): string {
  return `his_${random(32).toString('base64url')}`;
}

export interface InboxKeys {
  /** Keys the recipient HMACs (`hih_…`, used as its UTF-8 bytes, like the secret was). */
  hmacKey: string;
  /** Signs the recipient JWTs (`hij_…`, used as its UTF-8 bytes). */
  jwtKey: string;
}

const derive = (secret: string, label: string): string =>
  Buffer.from(hkdfSync('sha256', secret, 'herald inbox', label, 32)).toString('base64url');

/** HKDF-SHA256(ikm = secret, salt = "herald inbox", info = label, 32 bytes), base64url, prefixed. */
export function inboxKeys(secret: string): InboxKeys {
  return {
    hmacKey: `hih_${derive(secret, 'recipient hmac v1')}`,
    jwtKey: `hij_${derive(secret, 'recipient jwt v1')}`,
  };
}

/** What the service's backend computes: hex HMAC-SHA256 of the recipient id, keyed by the HMAC key. */
export function recipientHmac(hmacKey: string, recipientId: string): string {
  return createHmac('sha256', hmacKey).update(recipientId, 'utf8').digest('hex');
}

/** Whether `given` is the recipient's HMAC under the HMAC key derived from `secret`. */
export function recipientHmacMatches(secret: string, recipientId: string, given: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(given)) return false;
  const expected = Buffer.from(recipientHmac(inboxKeys(secret).hmacKey, recipientId), 'hex');
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
