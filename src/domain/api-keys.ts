/**
 * API keys look like `hk_<publicId>_<secret>`. The public id finds the row; only SHA-256 of the secret
 * is stored (the secret has 256 bits of entropy, so a slow hash adds nothing) and compared in
 * constant time. The whole key is shown once, at creation.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PUBLIC_ID = /^[a-z0-9]{16}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  publicId: string;
  secretHash: string;
  /** The full key, to hand to the caller once. */
  key: string;
}

export function generateApiKey(random: (n: number) => Buffer = randomBytes): NewApiKey {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const publicId = [...random(16)].map((b) => alphabet[b % alphabet.length]).join('');
  const secret = random(32).toString('base64url');
  return { publicId, secretHash: hashSecret(secret), key: `hk_${publicId}_${secret}` };
}

export function parseApiKey(key: string): { publicId: string; secret: string } | null {
  if (!key.startsWith('hk_')) return null;
  const publicId = key.slice(3, 19);
  const secret = key.slice(20);
  if (key[19] !== '_' || !PUBLIC_ID.test(publicId) || !SECRET.test(secret)) return null;
  return { publicId, secret };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time comparison of two tokens of any length (the admin token). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
