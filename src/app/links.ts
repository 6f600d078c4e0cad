/**
 * The signed links a recipient follows from a message: `/p/{token}` (preference page) and
 * `/u/{token}` (one-click unsubscribe). The key comes from HERALD_SECRET_KEY; without it, embedded
 * mode keeps a generated one in the data folder and server mode one in the database, so every API and
 * worker process of a deployment signs and checks with the same key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signLinkToken, verifyLinkToken, type LinkScope } from '../domain/link-tokens.ts';
import type { RecipientLinks } from '../domain/unsubscribe.ts';
import type { SecretStore } from '../ports/preferences-store.ts';

export interface Links {
  forRecipient(serviceId: string, recipientId: string): Promise<RecipientLinks>;
  verify(token: string): LinkScope | null;
}

/** A dedicated key for links, derived from the operator's secret, so the secret can serve other uses too. */
export function linkKey(secret: string): Buffer {
  return createHash('sha256').update('herald link tokens\u0000').update(secret).digest();
}

export function createLinks(secret: string, baseUrl: () => string): Links {
  const key = linkKey(secret);
  return {
    async forRecipient(serviceId, recipientId) {
      const token = signLinkToken(key, { serviceId, recipientId });
      const base = baseUrl().replace(/\/+$/, '');
      return { preferencesUrl: `${base}/p/${token}`, unsubscribeUrl: `${base}/u/${token}` };
    },
    verify: (token) => verifyLinkToken(key, token),
  };
}

const makeSecret = () => randomBytes(32).toString('base64url');

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
