/**
 * Tokens for the links in a message (hosted preference page, one-click unsubscribe). They are the only
 * credential those pages take, so they are signed with HMAC-SHA256 and name exactly one service and
 * one recipient: a changed byte anywhere fails verification. They do not expire, because an
 * unsubscribe link in a mail read a year later must still work (RFC 8058 asks for that, in effect).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface LinkScope {
  serviceId: string;
  recipientId: string;
}

/** Bumped if the payload layout ever changes, so old links fail closed rather than mean something else. */
const VERSION = 'v1';

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(`${VERSION}.${payload}`).digest();
}

export function signLinkToken(key: Buffer, scope: LinkScope): string {
  const payload = Buffer.from(JSON.stringify([scope.serviceId, scope.recipientId])).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** The scope the token was made for, or null when it was not made with `key` (tampered or foreign). */
export function verifyLinkToken(key: Buffer, token: string): LinkScope | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 2048) return null;
  const payload = token.slice(0, dot);
  // Compared as text, not decoded bytes: base64 ignores the spare bits of the last character, and a
  // token must have exactly one spelling, or "change one character" would sometimes still verify.
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(key, payload).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    ) {
      return { serviceId: parsed[0], recipientId: parsed[1] };
    }
  } catch {
    /* a valid MAC over a malformed payload cannot happen unless the key leaked; treat as invalid */
  }
  return null;
}
