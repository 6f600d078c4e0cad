/**
 * Google's two-legged OAuth for service accounts (RFC 7523): sign a JWT with the account's RSA key,
 * exchange it at the token URL for an access token, and reuse that token until shortly before it
 * expires. Concurrent sends share one exchange in flight.
 */
import type { HttpClient } from '../http/undici-http.ts';
import { parseJson } from '../http/undici-http.ts';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

export interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id?: string | undefined;
  token_uri?: string | undefined;
}

export interface AccessTokenSource {
  token(): Promise<string>;
  /** The provider refused the token (401): forget it so the next send exchanges a new one. */
  invalidate(): void;
}

export class OAuthError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'OAuthError';
    this.status = status;
  }
}

export function serviceAccountTokens(o: {
  account: ServiceAccount;
  tokenUrl: string;
  http: HttpClient;
  now?: () => number;
  /** Renew this long before expiry so a token never dies mid-request. */
  marginMs?: number;
}): AccessTokenSource {
  const now = o.now ?? Date.now;
  const margin = o.marginMs ?? 5 * 60_000;
  let cached: { token: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  let key: Promise<CryptoKey> | undefined;

  async function exchange(): Promise<string> {
    // jose is loaded at the first token: a Herald with no FCM provider never needs it.
    const { importPKCS8, SignJWT } = await import('jose');
    key ??= importPKCS8(o.account.private_key, 'RS256');
    const iat = Math.floor(now() / 1000);
    const assertion = await new SignJWT({ scope: FCM_SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(o.account.private_key_id ? { kid: o.account.private_key_id } : {}),
      })
      .setIssuer(o.account.client_email)
      .setAudience(o.tokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(await key);
    const res = await o.http.send({
      url: o.tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
    });
    const body = parseJson(res.text) as
      { access_token?: string; expires_in?: number; error?: string; error_description?: string } | undefined;
    if (res.status !== 200 || !body?.access_token) {
      throw new OAuthError(
        res.status,
        `token exchange failed (${res.status}): ${body?.error ?? ''} ${body?.error_description ?? res.text.slice(0, 200)}`,
      );
    }
    cached = { token: body.access_token, expiresAt: now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  }

  return {
    async token() {
      if (cached && cached.expiresAt - margin > now()) return cached.token;
      inFlight ??= exchange().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
