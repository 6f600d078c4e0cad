/**
 * The one shape of every link Herald puts in a message (preference page, unsubscribe, open pixel,
 * click redirect): `base64url(JSON [...fields, expiresAt]).base64url(HMAC-SHA256)`. The token is the
 * only credential those links carry, so a changed byte anywhere fails, and every token ends: after
 * `expiresAt` (Unix seconds) it opens as `expired`, never as valid. Expiry is read only after the MAC
 * verifies, so a forged token learns nothing, not even whether its date would have passed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Opened = { ok: true; fields: string[] } | { ok: false; reason: 'invalid' | 'expired' };

const mac = (key: Buffer, version: string, payload: string) =>
  createHmac('sha256', key).update(`${version}.${payload}`).digest('base64url');

/** `version` names the layout of `fields`: bump it when the layout changes, so old tokens fail closed. */
export function sealToken(
  key: Buffer,
  version: string,
  fields: readonly string[],
  expiresAt: number,
): string {
  const payload = Buffer.from(JSON.stringify([...fields, Math.floor(expiresAt)])).toString('base64url');
  return `${payload}.${mac(key, version, payload)}`;
}

export function openToken(
  key: Buffer,
  version: string,
  token: string,
  nowSeconds: number,
  maxLength = 8192,
): Opened {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > maxLength) return { ok: false, reason: 'invalid' };
  const payload = token.slice(0, dot);
  // Compared as text, not decoded bytes: base64 ignores the spare bits of the last character, and a
  // token must have exactly one spelling, or "change one character" would sometimes still verify.
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(key, version, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'invalid' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    // A valid MAC over a malformed payload cannot happen unless the key leaked: treat it as invalid.
    return { ok: false, reason: 'invalid' };
  }
  if (!Array.isArray(parsed) || parsed.length < 2) return { ok: false, reason: 'invalid' };
  const expiresAt: unknown = parsed[parsed.length - 1];
  const fields: unknown[] = parsed.slice(0, -1);
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt))
    return { ok: false, reason: 'invalid' };
  if (!fields.every((f): f is string => typeof f === 'string')) return { ok: false, reason: 'invalid' };
  if (nowSeconds >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, fields };
}
