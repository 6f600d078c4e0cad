/**
 * The signed links a recipient follows from a message: `/p/{token}` (preference page) and
 * `/u/{token}` (one-click unsubscribe). The key comes from HERALD_SECRET_KEY; without it, embedded
 * mode keeps a generated one in the data folder and server mode one in the database, so every API and
 * worker process of a deployment signs and checks with the same key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signLinkToken, verifyLinkToken, type LinkCheck } from '../domain/link-tokens.ts';
import type { RecipientLinks } from '../domain/unsubscribe.ts';
import type { SecretStore } from '../ports/secrets.ts';

export interface Links {
  forRecipient(serviceId: string, recipientId: string): Promise<RecipientLinks>;
  verify(token: string): LinkCheck;
}

/** How long links in a message work, and the clock they are issued and checked by. */
export interface LinkLifetime {
  ttlSeconds: number;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

export const lifetimeClock = (l: LinkLifetime) => {
  const now = l.now ?? Date.now;
  const seconds = () => Math.floor(now() / 1000);
  return { seconds, expiresAt: () => seconds() + l.ttlSeconds };
};

/** A dedicated key for links, derived from the operator's secret, so the secret can serve other uses too. */
export function linkKey(secret: string): Buffer {
  return createHash('sha256').update('herald link tokens\u0000').update(secret).digest();
}

export function createLinks(secret: string, baseUrl: () => string, lifetime: LinkLifetime): Links {
  const key = linkKey(secret);
  const clock = lifetimeClock(lifetime);
  return {
    async forRecipient(serviceId, recipientId) {
      const token = signLinkToken(key, { serviceId, recipientId }, clock.expiresAt());
      const base = baseUrl().replace(/\/+$/, '');
      return { preferencesUrl: `${base}/p/${token}`, unsubscribeUrl: `${base}/u/${token}` };
    },
    verify: (token) => verifyLinkToken(key, token, clock.seconds()),
  };
}

export const makeSecret = () => randomBytes(32).toString('base64url');

/** Embedded mode: made once, kept beside the admin token, readable only by its owner. */
export function dataDirSecret(dataDir: string): string {
  const file = join(dataDir, 'secret-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = makeSecret();
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return secret;
  }
}

export async function databaseSecret(store: SecretStore): Promise<string> {
  return store.getOrCreate('link-signing-key', makeSecret);
}
