/**
 * Mobile push through Apple's APNs provider API: HTTP/2 (node:http2), one long-lived session reopened
 * when it closes, and token-based auth with an ES256 JWT that Apple wants renewed between 20 and 60
 * minutes (renewing more often than every 20 min gets TooManyProviderTokenUpdates).
 */
import http2 from 'node:http2';
import { guardedLookup, privateLiteralFailure, refusedSendFailure } from '../../net/ssrf-guard.ts';
import type { OutgoingMessage, Sender } from '../../../ports/sender.ts';
import { ProviderError } from '../../../ports/sender.ts';
import { classifyApnsError } from './apns-errors.ts';

export interface ApnsSettings {
  name: string;
  teamId: string;
  keyId: string;
  /** The .p8 key (PKCS#8 PEM) from the Apple developer account. */
  privateKey: string;
  /** The app's bundle id (the default `apns-topic`). */
  topic: string;
  /** https://api.push.apple.com (default) or https://api.sandbox.push.apple.com. */
  baseUrl?: string | undefined;
  /** How long one provider token is used; 20–60 min per Apple. */
  tokenTtlMs?: number | undefined;
  timeoutMs?: number | undefined;
  /** The URLs came from a service, not the operator: refuse private addresses (net/ssrf-guard.ts). */
  refusePrivate?: boolean | undefined;
}

export function apnsRequest(
  m: OutgoingMessage<'push'>,
  topic: string,
): { headers: Record<string, string>; body: string } {
  const c = m.content;
  const alert =
    c.title !== undefined || c.body !== undefined
      ? {
          alert: {
            ...(c.title !== undefined ? { title: c.title } : {}),
            ...(c.body !== undefined ? { body: c.body } : {}),
          },
        }
      : {};
  const aps = {
    ...alert,
    ...(c.sound !== undefined ? { sound: c.sound } : {}),
    ...(c.badge !== undefined ? { badge: c.badge } : {}),
    ...c.aps,
  };
  const pushType = c.pushType ?? ('alert' in alert ? 'alert' : 'background');
  const headers: Record<string, string> = {
    'apns-topic': topic,
    'apns-push-type': pushType,
    // Background pushes must use priority 5; Apple rejects 10 for them.
    'apns-priority': String(c.priority ?? (pushType === 'background' ? 5 : 10)),
    'apns-id': m.deliveryId,
  };
  if (c.expiration !== undefined) headers['apns-expiration'] = String(c.expiration);
  if (c.collapseId !== undefined) headers['apns-collapse-id'] = c.collapseId;
  return { headers, body: JSON.stringify({ ...c.data, delivery_id: m.deliveryId, aps }) };
}

export function createApnsSender(s: ApnsSettings): Sender<'push'> {
  const origin = s.baseUrl ?? 'https://api.push.apple.com';
  const ttl = Math.min(60, Math.max(20, (s.tokenTtlMs ?? 40 * 60_000) / 60_000)) * 60_000;
  const timeout = s.timeoutMs ?? 15_000;
  let session: http2.ClientHttp2Session | undefined;
  let inFlight = 0;
  let jwt: { value: string; madeAt: number } | undefined;
  let key: Promise<CryptoKey> | undefined;

  async function providerToken(): Promise<string> {
    if (jwt && Date.now() - jwt.madeAt < ttl) return jwt.value;
    // jose is loaded at the first token: a Herald with no APNs provider never needs it.
    const { importPKCS8, SignJWT } = await import('jose');
    key ??= importPKCS8(s.privateKey, 'ES256');
    const madeAt = Date.now();
    const value = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: s.keyId })
      .setIssuer(s.teamId)
      .setIssuedAt(Math.floor(madeAt / 1000))
      .sign(await key);
    jwt = { value, madeAt };
    return value;
  }

  function connection(): http2.ClientHttp2Session {
    if (session && !session.closed && !session.destroyed) return session;
    const opened = http2.connect(origin, s.refusePrivate ? { lookup: guardedLookup } : {});
    // Errors surface on the streams; an idle session that dies is simply reopened on next use.
    opened.on('error', () => undefined);
    opened.on('goaway', () => opened.close());
    opened.on('close', () => {
      if (session === opened) session = undefined;
    });
    opened.unref();
    session = opened;
    return opened;
  }

  function post(path: string, headers: Record<string, string>, body: string) {
    return new Promise<{ status: number; headers: Record<string, string>; text: string }>(
      (resolve, reject) => {
        const conn = connection();
        const stream = conn.request({
          ':method': 'POST',
          ':path': path,
          'content-type': 'application/json',
          ...headers,
        });
        // An idle session must not keep the process alive; one with requests in flight must.
        if (inFlight++ === 0) conn.ref();
        let finished = false;
        let status = 0;
        const answer: Record<string, string> = {};
        const chunks: Buffer[] = [];
        const timer = setTimeout(() => {
          done();
          stream.close(http2.constants.NGHTTP2_CANCEL);
          reject(
            new ProviderError({
              kind: 'transient',
              code: 'timeout',
              message: `APNs did not answer within ${timeout} ms`,
            }),
          );
        }, timeout);
        const done = () => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          if (--inFlight === 0 && !conn.destroyed) conn.unref();
        };
        stream.on('response', (h) => {
          status = Number(h[':status']);
          for (const [k, v] of Object.entries(h)) if (typeof v === 'string') answer[k] = v;
        });
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          done();
          resolve({ status, headers: answer, text: Buffer.concat(chunks).toString('utf8') });
        });
        const fail = (err: Error) => {
          done();
          reject(
            new ProviderError(
              refusedSendFailure(err) ?? {
                kind: 'transient',
                code: 'network_error',
                message: `APNs stream failed: ${err.message}`,
              },
              err,
            ),
          );
        };
        stream.on('error', fail);
        // A connection the guard refused fails the session, and its streams only say "cancelled".
        conn.once('error', fail);
        stream.on('close', () => conn.off('error', fail));
        stream.end(body);
      },
    );
  }

  return {
    name: s.name,
    channel: 'push',
    async send(m) {
      const refused = s.refusePrivate ? privateLiteralFailure(new URL(origin)) : null;
      if (refused) throw new ProviderError(refused);
      const { headers, body } = apnsRequest(m, s.topic);
      const res = await post(
        `/3/device/${encodeURIComponent(m.to)}`,
        { ...headers, authorization: `bearer ${await providerToken()}` },
        body,
      );
      if (res.status === 200) return { providerMessageId: res.headers['apns-id'] ?? m.deliveryId };
      const failure = classifyApnsError(res.status, res.text, res.headers);
      if (failure.code === 'provider_token_expired') jwt = undefined;
      throw new ProviderError(failure);
    },
    async close() {
      const open = session;
      session = undefined;
      if (open && !open.closed) await new Promise<void>((r) => open.close(() => r()));
    },
  };
}
