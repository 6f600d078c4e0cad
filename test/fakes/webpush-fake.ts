/**
 * A local push service (RFC 8030). It holds the user agent's side of each subscription (a P-256 key
 * pair and auth secret), verifies the VAPID JWT (RFC 8292), and DECRYPTS every aes128gcm payload
 * (RFC 8188 + RFC 8291) with node:crypto ECDH, HMAC-based HKDF and AES-128-GCM, independently of the
 * web-push package that encrypted it.
 */
import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  createVerify,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { header, startFakeHttp, type FakeHttp, type Recorded, type Reply } from './fake-http.ts';

export const WEBPUSH_SCENARIOS = {
  gone: { status: 410, body: 'push subscription has unsubscribed or expired.' },
  not_found: { status: 404, body: 'subscription not found' },
  too_large: { status: 413, body: 'payload too large' },
  server_error: { status: 503, body: 'service unavailable' },
  rate_limited: { status: 429, headers: { 'retry-after': '120' }, body: 'too many requests' },
} satisfies Record<string, Reply>;

export type WebPushScenario = keyof typeof WEBPUSH_SCENARIOS;

export interface UserAgentKeys {
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
}

export interface WebPushFake extends FakeHttp<WebPushScenario> {
  /**
   * Creates a subscription as a browser would: `{ endpoint, keys: { p256dh, auth } }`, with a key
   * pair and auth secret of its own or the ones given (a test that decrypts for itself).
   */
  subscribe(ua?: UserAgentKeys): { endpoint: string; keys: { p256dh: string; auth: string } };
  /** Decrypted payloads, by subscription endpoint. */
  received: { endpoint: string; plaintext: string }[];
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** RFC 8291 §3.4 + RFC 8188 §2: the plaintext of one aes128gcm body, or an error. */
export function decryptAes128gcm(body: Buffer, ua: UserAgentKeys): string {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error('keyid must be the 65-byte application server key');
  if (records.length > rs) throw new Error('only one record expected');
  const ecdhSecret = ua.ecdh.computeSecret(asPublic);
  const uaPublic = ua.ecdh.getPublicKey();
  const prkKey = hmac(ua.auth, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic, Buffer.from([1])]);
  const ikm = hmac(prkKey, keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'binary')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'binary')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('last record must end with the 0x02 delimiter');
  return padded.subarray(0, end).toString('utf8');
}

/** RFC 8292: `vapid t=<jwt>, k=<public key>`; null when valid for this audience. */
export function checkVapid(
  auth: string | undefined,
  audience: string,
  expectedKey: string | undefined,
): string | null {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(auth ?? '');
  if (!m) return 'missing vapid authorization';
  const [h = '', p = '', sig = ''] = m[1]!.split('.');
  const k = Buffer.from(m[2]!, 'base64url');
  if (expectedKey && m[2] !== expectedKey) return 'unexpected application server key';
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: k.subarray(1, 33).toString('base64url'),
      y: k.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  if (
    !createVerify('SHA256')
      .update(`${h}.${p}`)
      .verify({ key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'))
  )
    return 'bad vapid signature';
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as {
    aud?: string;
    exp?: number;
    sub?: string;
  };
  if (claims.aud !== audience) return 'wrong audience';
  const now = Date.now() / 1000;
  if (!claims.exp || claims.exp < now || claims.exp > now + 24 * 3600) return 'bad expiry';
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) return 'bad subject';
  return null;
}

export async function startWebPushFake(
  vapidPublicKey?: string,
  tls?: { key: string; cert: string },
): Promise<WebPushFake> {
  const subs = new Map<string, UserAgentKeys>();
  const received: { endpoint: string; plaintext: string }[] = [];
  let origin = '';
  const check = (req: Recorded): Reply | null => {
    const id = /^\/push\/([\w-]+)$/.exec(req.path)?.[1];
    const ua = id ? subs.get(id) : undefined;
    if (req.method !== 'POST' || !ua) return WEBPUSH_SCENARIOS.not_found;
    const problem = checkVapid(header(req, 'authorization'), origin, vapidPublicKey);
    if (problem) return { status: 401, body: problem };
    if (!header(req, 'ttl') || !/^\d+$/.test(header(req, 'ttl')!))
      return { status: 400, body: 'TTL header required' };
    if (header(req, 'content-encoding') !== 'aes128gcm') return { status: 415, body: 'aes128gcm required' };
    try {
      const plaintext = decryptAes128gcm(Buffer.from(req.body, 'latin1'), ua);
      received.push({ endpoint: `${origin}${req.path}`, plaintext });
    } catch (err) {
      return { status: 400, body: `cannot decrypt: ${(err as Error).message}` };
    }
    return null;
  };
  const fake = (await startFakeHttp<WebPushScenario>({
    scenarios: WEBPUSH_SCENARIOS,
    check,
    success: () => ({ status: 201, headers: { location: `${origin}/message/${randomUUID()}` }, body: '' }),
    latin1: true,
    ...(tls ? { tls } : {}),
  })) as WebPushFake;
  origin = fake.url;
  fake.received = received;
  fake.subscribe = (given) => {
    const ecdh = given?.ecdh ?? createECDH('prime256v1');
    if (!given) ecdh.generateKeys();
    const auth = given?.auth ?? randomBytes(16);
    const id = randomUUID();
    subs.set(id, { ecdh, auth });
    return {
      endpoint: `${origin}/push/${id}`,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    };
  };
  return fake;
}
