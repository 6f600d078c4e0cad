/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV per value and the owner (service and provider)
 * as additional authenticated data, so a ciphertext copied to another row does not decrypt. Stored as
 * `v1.<iv>.<tag>.<ciphertext>` in base64url; the version leaves room for key rotation.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

/** The key is 32 bytes, given as base64 or base64url (e.g. `openssl rand -base64 32`). */
export function parseSecretKey(encoded: string): Buffer {
  const key = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32)
    throw new SecretKeyError('HERALD_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32).');
  return key;
}

/** True when `value` has the sealed format (so a store can hold sealed and older plaintext values side by side). */
export function isSealed(value: string): boolean {
  return value.startsWith('v1.');
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SecretKeyError('AES-256-GCM needs a 32-byte key.');
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), ct]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open(sealed, context) {
      const [version, iv, tag, ct] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || ct === undefined)
        throw new SecretKeyError('Unknown secret format.');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch (err) {
        throw new SecretKeyError(
          `Cannot decrypt a stored secret (wrong HERALD_SECRET_KEY?): ${(err as Error).message}`,
        );
      }
    },
  };
}
