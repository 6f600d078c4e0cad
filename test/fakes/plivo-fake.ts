/**
 * A local Plivo Message API (`POST /v1/Account/{auth_id}/Message/`): basic auth with the Auth ID and
 * auth token, a JSON body with `dst`, `text` and `src` or `powerpack_uuid`, 202 with `message_uuid`,
 * or Plivo's error JSON `{ api_id, error }`. Messages sent with a callback `url` can be given status
 * callbacks (`statusCallback`), posted as form fields and signed as Plivo signs them: V2 and V3
 * headers, HMAC-SHA256 keyed with the account's auth token (written from Plivo's published scheme,
 * independently of Herald's checker).
 */
import { createHmac, randomInt, randomUUID } from 'node:crypto';
import { header, startFakeHttp, type FakeHttp, type Recorded, type Reply } from './fake-http.ts';

const plivoError = (status: number, error: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  body: { api_id: randomUUID(), error },
});

export const PLIVO_SCENARIOS = {
  invalid_dst: plivoError(400, 'invalid dst'),
  invalid_src: plivoError(400, 'src parameter is invalid'),
  bad_request: plivoError(400, 'message could not be queued'),
  unauthorized: plivoError(401, 'authentication failed'),
  rate_limited: plivoError(429, 'too many requests', { 'retry-after': '120' }),
  server_error: plivoError(500, 'internal server error'),
} satisfies Record<string, Reply>;

export type PlivoScenario = keyof typeof PLIVO_SCENARIOS;

/** The message a request carried, as Plivo reads it. */
export interface PlivoMessage {
  src?: string;
  powerpack_uuid?: string;
  dst?: string;
  text?: string;
  type?: string;
  url?: string;
  method?: string;
}

export const plivoMessage = (req: Recorded): PlivoMessage => {
  try {
    return JSON.parse(req.body) as PlivoMessage;
  } catch {
    return {};
  }
};

export interface StatusCallbackOptions {
  /** Extra form fields, e.g. `{ ErrorCode: '300' }`. */
  fields?: Record<string, string>;
  /** Which signatures to send (default both, as Plivo does). */
  signatures?: 'v2' | 'v3' | 'both' | 'none';
  /** Sign with this token instead of the account's (a forgery). */
  token?: string;
  /** Sign these fields but send the others (a body changed on the way). */
  signedFields?: Record<string, string>;
  /** Post to this origin instead of the callback URL's (Herald behind a proxy); the URL is still what is signed. */
  via?: string;
}

/** HMAC-SHA256 over what each scheme signs: the URL without its query, then V3's sorted fields. */
function sign(token: string, callbackUrl: string, fields: Record<string, string>, nonce: string) {
  const u = new URL(callbackUrl);
  const base = `${u.protocol}//${u.host}${u.pathname}`;
  const query = [...u.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const names = Object.keys(fields).sort();
  let v3 = base;
  if (query.length || names.length) v3 += `?${query.map(([k, v]) => `${k}=${v}`).join('&')}`;
  if (query.length && names.length) v3 += '.';
  for (const n of names) v3 += n + fields[n];
  const mac = (data: string) => createHmac('sha256', token).update(data).digest('base64');
  return { v2: mac(base + nonce), v3: mac(`${v3}.${nonce}`) };
}

export async function startPlivoFake(
  authId: string,
  authToken: string,
): Promise<
  FakeHttp<PlivoScenario> & {
    messages: PlivoMessage[];
    /** Posts a status callback for a message this fake accepted; resolves with Herald's answer. */
    statusCallback(
      uuid: string,
      status: string,
      options?: StatusCallbackOptions,
    ): Promise<{ status: number; body: any }>;
  }
> {
  const expectedAuth = `Basic ${Buffer.from(`${authId}:${authToken}`).toString('base64')}`;
  const messages: PlivoMessage[] = [];
  const byUuid = new Map<string, PlivoMessage>();
  const fake = await startFakeHttp<PlivoScenario>({
    scenarios: PLIVO_SCENARIOS,
    check(req) {
      if (req.method !== 'POST' || req.path !== `/v1/Account/${authId}/Message/`)
        return plivoError(404, 'not found');
      if (header(req, 'authorization') !== expectedAuth) return plivoError(401, 'authentication failed');
      if (!header(req, 'content-type')?.startsWith('application/json'))
        return plivoError(400, 'content type must be application/json');
      const m = plivoMessage(req);
      if (!m.dst) return plivoError(400, 'dst parameter not present');
      if (!/^\+?\d{6,15}$/.test(m.dst)) return plivoError(400, 'invalid dst');
      if (!m.src && !m.powerpack_uuid) return plivoError(400, 'src parameter not present');
      if (!m.text) return plivoError(400, 'text parameter not present');
      return null;
    },
    success: (req) => {
      const m = plivoMessage(req);
      const uuid = randomUUID();
      messages.push(m);
      byUuid.set(uuid, m);
      return {
        status: 202,
        body: { api_id: randomUUID(), message: 'message(s) queued', message_uuid: [uuid] },
      };
    },
  });
  async function statusCallback(uuid: string, status: string, o: StatusCallbackOptions = {}) {
    const m = byUuid.get(uuid);
    if (!m?.url) throw new Error(`message ${uuid} was not sent with a callback url`);
    const fields = {
      MessageUUID: uuid,
      Status: status,
      To: m.dst ?? '',
      From: m.src ?? '',
      Type: 'sms',
      Units: '1',
      ...o.fields,
    };
    const nonce = String(randomInt(1e9, 1e10)) + String(randomInt(1e9, 1e10));
    const sig = sign(o.token ?? authToken, m.url, o.signedFields ?? fields, nonce);
    const which = o.signatures ?? 'both';
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (which === 'v2' || which === 'both')
      Object.assign(headers, { 'x-plivo-signature-v2': sig.v2, 'x-plivo-signature-v2-nonce': nonce });
    if (which === 'v3' || which === 'both')
      Object.assign(headers, { 'x-plivo-signature-v3': sig.v3, 'x-plivo-signature-v3-nonce': nonce });
    const target = new URL(m.url);
    const to = o.via ? `${o.via.replace(/\/$/, '')}${target.pathname}${target.search}` : m.url;
    const res = await fetch(to, {
      method: m.method ?? 'POST',
      headers,
      body: new URLSearchParams(fields).toString(),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  }
  return Object.assign(fake, { messages, statusCallback });
}
