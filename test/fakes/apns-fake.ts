/**
 * A local APNs provider API over HTTP/2 (cleartext h2c, node:http2). It verifies the ES256 provider
 * token with the key's public half (node:crypto), the team and key ids, the token's age, the required
 * headers and the device token's shape, and answers as APNs does: 200 with `apns-id`, or a reason.
 */
import http2 from 'node:http2';
import { createVerify, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface ApnsReply {
  status: number;
  reason?: string;
  headers?: Record<string, string>;
}

export const APNS_SCENARIOS = {
  bad_device_token: { status: 400, reason: 'BadDeviceToken' },
  device_token_not_for_topic: { status: 400, reason: 'DeviceTokenNotForTopic' },
  unregistered: { status: 410, reason: 'Unregistered' },
  payload_too_large: { status: 413, reason: 'PayloadTooLarge' },
  too_many_requests: { status: 429, reason: 'TooManyRequests', headers: { 'retry-after': '120' } },
  internal: { status: 500, reason: 'InternalServerError' },
  unavailable: { status: 503, reason: 'ServiceUnavailable' },
} satisfies Record<string, ApnsReply>;

export type ApnsScenario = keyof typeof APNS_SCENARIOS;

export interface ApnsRecorded {
  path: string;
  headers: Record<string, string>;
  body: string;
  jwtIat?: number;
}

export interface ApnsFake {
  url: string;
  teamId: string;
  keyId: string;
  topic: string;
  privateKey: string;
  requests: ApnsRecorded[];
  answer(s: ApnsScenario | 'hang'): void;
  close(): Promise<void>;
}

const PUSH_TYPES = new Set([
  'alert',
  'background',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'location',
  'liveactivity',
  'pushtotalk',
]);

function checkJwt(
  auth: string | undefined,
  key: KeyObject,
  teamId: string,
  keyId: string,
): { reason: string } | { iat: number } {
  const m = /^bearer (.+)$/.exec(auth ?? '');
  if (!m) return { reason: 'MissingProviderToken' };
  const [h = '', p = '', sig = ''] = m[1]!.split('.');
  let header: any, claims: any;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString());
    claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  } catch {
    return { reason: 'InvalidProviderToken' };
  }
  if (header.alg !== 'ES256' || header.kid !== keyId || claims.iss !== teamId)
    return { reason: 'InvalidProviderToken' };
  const ok = createVerify('SHA256')
    .update(`${h}.${p}`)
    .verify({ key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
  if (!ok) return { reason: 'InvalidProviderToken' };
  // Apple refuses tokens older than one hour.
  if (typeof claims.iat !== 'number' || Date.now() / 1000 - claims.iat > 3600)
    return { reason: 'ExpiredProviderToken' };
  return { iat: claims.iat };
}

export async function startApnsFake(topic = 'com.acme.app'): Promise<ApnsFake> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const teamId = 'TEAM123456';
  const keyId = 'KEY1234567';
  const requests: ApnsRecorded[] = [];
  const queue: (ApnsScenario | 'hang')[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, h) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(h)) if (typeof v === 'string') headers[k] = v;
      const rec: ApnsRecorded = {
        path: headers[':path'] ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const apnsId = headers['apns-id'] ?? randomUUID();
      const reply = (status: number, reason?: string, extra: Record<string, string> = {}) => {
        stream.respond({
          ':status': status,
          'apns-id': apnsId,
          ...(reason ? { 'content-type': 'application/json' } : {}),
          ...extra,
        });
        stream.end(
          reason
            ? JSON.stringify(status === 410 ? { reason, timestamp: Date.now() } : { reason })
            : undefined,
        );
      };
      if (headers[':method'] !== 'POST') return reply(405, 'MethodNotAllowed');
      const m = /^\/3\/device\/([^/]+)$/.exec(rec.path);
      if (!m) return reply(404, 'BadPath');
      const jwt = checkJwt(headers.authorization, publicKey, teamId, keyId);
      if ('reason' in jwt) return reply(403, jwt.reason);
      rec.jwtIat = jwt.iat;
      if (!headers['apns-topic']) return reply(400, 'MissingTopic');
      if (headers['apns-topic'] !== topic) return reply(400, 'TopicDisallowed');
      if (!PUSH_TYPES.has(headers['apns-push-type'] ?? '')) return reply(400, 'InvalidPushType');
      if (headers['apns-priority'] && !['1', '5', '10'].includes(headers['apns-priority']))
        return reply(400, 'BadPriority');
      if (headers['apns-expiration'] && !/^\d+$/.test(headers['apns-expiration']))
        return reply(400, 'BadExpirationDate');
      if (headers['apns-collapse-id'] && Buffer.byteLength(headers['apns-collapse-id']) > 64)
        return reply(400, 'BadCollapseId');
      if (
        headers['apns-id'] &&
        !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(headers['apns-id'])
      )
        return reply(400, 'BadMessageId');
      if (!/^[0-9a-f]{64}$/i.test(m[1]!)) return reply(400, 'BadDeviceToken');
      let body: any;
      try {
        body = JSON.parse(rec.body);
      } catch {
        return reply(400, 'PayloadEmpty');
      }
      if (!body?.aps) return reply(400, 'PayloadEmpty');
      if (Buffer.byteLength(rec.body) > 4096) return reply(413, 'PayloadTooLarge');
      const next = queue.shift();
      if (next === 'hang') return;
      if (next) {
        const s: ApnsReply = APNS_SCENARIOS[next];
        return reply(s.status, s.reason, s.headers);
      }
      reply(200);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    teamId,
    keyId,
    topic,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    requests,
    answer: (s) => void queue.push(s),
    async close() {
      for (const s of sessions) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
