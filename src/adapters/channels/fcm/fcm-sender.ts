/**
 * Mobile push through Firebase Cloud Messaging HTTP v1. The address is the device's registration token.
 * Content: `{ title, body, data?, android?, apns?, webpush? }`; `data` values must be strings in FCM.
 */
import type { OutgoingMessage, Sender } from '../../../ports/sender.ts';
import { ProviderError } from '../../../ports/sender.ts';
import { classifyNetworkError, createHttpClient, parseJson } from '../http/undici-http.ts';
import { classifyFcmError } from './fcm-errors.ts';
import { OAuthError, serviceAccountTokens, type ServiceAccount } from './fcm-oauth.ts';

export interface FcmSettings {
  name: string;
  serviceAccount: ServiceAccount;
  /** Defaults to https://fcm.googleapis.com. */
  baseUrl?: string | undefined;
  /** Defaults to the service account's token_uri, else https://oauth2.googleapis.com/token. */
  tokenUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** The URLs came from a service, not the operator: refuse private addresses (net/ssrf-guard.ts). */
  refusePrivate?: boolean | undefined;
}

export function fcmMessage(m: OutgoingMessage<'push'>): Record<string, unknown> {
  const c = m.content;
  const data: Record<string, string> = { delivery_id: m.deliveryId };
  for (const [k, v] of Object.entries(c.data ?? {})) data[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return {
    message: {
      token: m.to,
      ...(c.title !== undefined || c.body !== undefined
        ? {
            notification: {
              ...(c.title !== undefined ? { title: c.title } : {}),
              ...(c.body !== undefined ? { body: c.body } : {}),
            },
          }
        : {}),
      data,
      ...(c.android !== undefined ? { android: c.android } : {}),
      ...(c.apns !== undefined ? { apns: c.apns } : {}),
      ...(c.webpush !== undefined ? { webpush: c.webpush } : {}),
    },
  };
}

export function createFcmSender(s: FcmSettings): Sender<'push'> {
  const base = (s.baseUrl ?? 'https://fcm.googleapis.com').replace(/\/$/, '');
  const http = createHttpClient({ timeoutMs: s.timeoutMs, refusePrivate: s.refusePrivate });
  const tokens = serviceAccountTokens({
    account: s.serviceAccount,
    tokenUrl: s.tokenUrl ?? s.serviceAccount.token_uri ?? 'https://oauth2.googleapis.com/token',
    http,
  });
  const url = `${base}/v1/projects/${encodeURIComponent(s.serviceAccount.project_id)}/messages:send`;
  return {
    name: s.name,
    channel: 'push',
    async send(m) {
      let res;
      try {
        const token = await tokens.token();
        res = await http.send({
          url,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(fcmMessage(m)),
        });
      } catch (err) {
        if (err instanceof OAuthError) {
          // A refused service account is the operator's to fix; a retry may follow a fix or failover.
          throw new ProviderError(
            { kind: 'transient', code: 'auth_failed', message: `FCM ${err.message}` },
            err,
          );
        }
        throw new ProviderError(classifyNetworkError(err, 'FCM'), err);
      }
      if (res.status === 200) {
        const ok = parseJson(res.text) as { name?: string } | undefined;
        return { providerMessageId: ok?.name ?? null };
      }
      if (res.status === 401) tokens.invalidate();
      throw new ProviderError(classifyFcmError(res.status, res.text, res.headers));
    },
    close: () => http.close(),
  };
}
