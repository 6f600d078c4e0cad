/**
 * A local Google OAuth token endpoint and FCM HTTP v1 `messages:send`. The token endpoint verifies the
 * service account's RS256 assertion (node:crypto, with the account's public key) and issues access
 * tokens; sends must carry one of those tokens. Errors are FCM's v1 error shape.
 */
import { createVerify, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { header, startFakeHttp, type FakeHttp, type Recorded, type Reply } from './fake-http.ts';

const fcmError = (
  status: number,
  canonical: string,
  errorCode: string | null,
  message: string,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  headers,
  body: {
    error: {
      code: status,
      message,
      status: canonical,
      details: errorCode
        ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }]
        : [],
    },
  },
});

export const FCM_SCENARIOS = {
  unregistered: fcmError(404, 'NOT_FOUND', 'UNREGISTERED', 'Requested entity was not found.'),
  sender_id_mismatch: fcmError(403, 'PERMISSION_DENIED', 'SENDER_ID_MISMATCH', 'SenderId mismatch'),
  invalid_argument: fcmError(
    400,
    'INVALID_ARGUMENT',
    'INVALID_ARGUMENT',
    'The registration token is not a valid FCM registration token',
  ),
  unavailable: fcmError(503, 'UNAVAILABLE', 'UNAVAILABLE', 'The service is currently unavailable.'),
  internal: fcmError(500, 'INTERNAL', 'INTERNAL', 'Internal error encountered.'),
  quota_exceeded: fcmError(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED', 'Quota exceeded for quota metric', {
    'retry-after': '120',
  }),
} satisfies Record<string, Reply>;

export type FcmScenario = keyof typeof FCM_SCENARIOS;

export interface FcmFake extends FakeHttp<FcmScenario> {
  serviceAccount: {
    project_id: string;
    client_email: string;
    private_key: string;
    private_key_id: string;
    token_uri: string;
  };
  tokenRequests: number;
  /** Forget every issued token, as if they expired early: the next send gets 401. */
  revokeTokens(): void;
}

const b64json = (s: string): any => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

/** The checks Google's token endpoint makes on a JWT-bearer assertion; null when it is valid. */
export function checkAssertion(
  assertion: string,
  key: KeyObject,
  email: string,
  audience: string,
  now = Date.now(),
): string | null {
  const parts = assertion.split('.');
  if (parts.length !== 3) return 'malformed';
  const [h, p, sig] = parts as [string, string, string];
  const headerJson = b64json(h);
  if (headerJson.alg !== 'RS256') return 'wrong alg';
  const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(key, Buffer.from(sig, 'base64url'));
  if (!ok) return 'invalid signature';
  const claims = b64json(p);
  const t = Math.floor(now / 1000);
  if (claims.iss !== email) return 'wrong issuer';
  if (claims.aud !== audience) return 'wrong audience';
  if (claims.scope !== 'https://www.googleapis.com/auth/firebase.messaging') return 'wrong scope';
  if (!(claims.iat <= t + 60 && claims.exp > t && claims.exp - claims.iat <= 3600)) return 'bad lifetime';
  return null;
}

export async function startFcmFake(project = 'herald-test'): Promise<FcmFake> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = `herald@${project}.iam.gserviceaccount.com`;
  const tokens = new Map<string, number>();
  let tokenRequests = 0;
  let tokenUri = '';

  const check = (req: Recorded): Reply | null => {
    if (req.path === '/token') {
      tokenRequests++;
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
        return {
          status: 400,
          body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' },
        };
      const problem = checkAssertion(form.get('assertion') ?? '', publicKey, email, tokenUri);
      if (problem)
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: `Invalid JWT: ${problem}` },
        };
      return null;
    }
    if (req.path !== `/v1/projects/${project}/messages:send` || req.method !== 'POST')
      return fcmError(404, 'NOT_FOUND', null, 'Not found');
    const bearer = /^Bearer (.+)$/.exec(header(req, 'authorization') ?? '')?.[1];
    const exp = bearer ? tokens.get(bearer) : undefined;
    if (!exp || exp < Date.now())
      return fcmError(401, 'UNAUTHENTICATED', null, 'Request had invalid authentication credentials.');
    let body: any;
    try {
      body = JSON.parse(req.body);
    } catch {
      return FCM_SCENARIOS.invalid_argument;
    }
    if (!body?.message?.token) return FCM_SCENARIOS.invalid_argument;
    for (const v of Object.values(body.message.data ?? {}))
      if (typeof v !== 'string')
        return fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'data values must be strings');
    return null;
  };

  const fake = await startFakeHttp<FcmScenario>({
    scenarios: FCM_SCENARIOS,
    check,
    scenarioFor: (req) => req.path !== '/token',
    success(req) {
      if (req.path === '/token') {
        const token = `ya29.${randomBytes(24).toString('base64url')}`;
        tokens.set(token, Date.now() + 3600_000);
        return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
      }
      return {
        status: 200,
        body: { name: `projects/${project}/messages/0:${randomBytes(8).toString('hex')}` },
      };
    },
  });
  tokenUri = `${fake.url}/token`;
  const result = fake as FcmFake;
  result.serviceAccount = {
    project_id: project,
    client_email: email,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    private_key_id: randomBytes(20).toString('hex'),
    token_uri: tokenUri,
  };
  Object.defineProperty(result, 'tokenRequests', { get: () => tokenRequests });
  result.revokeTokens = () => tokens.clear();
  return result;
}
