/**
 * Browser web push: the `web-push` package builds the request (VAPID JWT, RFC 8291 aes128gcm
 * encryption); Herald sends it itself over a keep-alive pool. The address is the PushSubscription as
 * JSON: `{ "endpoint", "keys": { "p256dh", "auth" } }` (domain/web-push-subscription.ts).
 *
 * Only the push service's 404/410 says a subscription is gone. An address that holds no subscription,
 * or an endpoint outside `endpointPattern`, is refused without deactivating the device: the first is
 * Herald's own fault, the second the operator's pattern or a subscriber aiming elsewhere.
 */
import type { OutgoingMessage, Sender } from '../../../ports/sender.ts';
import { ProviderError } from '../../../ports/sender.ts';
import { parseSubscription } from '../../../domain/web-push-subscription.ts';
import { classifyNetworkError, createHttpClient } from '../http/undici-http.ts';
import { classifyWebPushError } from './webpush-errors.ts';

export interface WebPushSettings {
  name: string;
  /** `mailto:` address or https URL where push services can reach the operator. */
  subject: string;
  publicKey: string;
  privateKey: string;
  /** Seconds the push service keeps an undelivered message. */
  ttlSeconds?: number | undefined;
  /**
   * Endpoints must match this pattern (default: the browsers' push services), so a subscription
   * registered by a client cannot aim Herald at internal hosts.
   */
  endpointPattern?: string | undefined;
  timeoutMs?: number | undefined;
  /** The URLs came from a service, not the operator: refuse private addresses (net/ssrf-guard.ts). */
  refusePrivate?: boolean | undefined;
}

/** Chrome/Edge/Opera/Samsung (FCM), Firefox (autopush), Windows (WNS), Safari (Apple). */
export const PUSH_SERVICES =
  '^https://(fcm\\.googleapis\\.com|updates\\.push\\.services\\.mozilla\\.com|[a-z0-9-]+\\.notify\\.windows\\.com|web\\.push\\.apple\\.com)/';

export function webPushPayload(m: OutgoingMessage<'web_push'>): string {
  return JSON.stringify({ ...m.content, delivery_id: m.deliveryId });
}

export function createWebPushSender(s: WebPushSettings): Sender<'web_push'> {
  const http = createHttpClient({ timeoutMs: s.timeoutMs, refusePrivate: s.refusePrivate });
  const endpointPattern = new RegExp(s.endpointPattern ?? PUSH_SERVICES);
  return {
    name: s.name,
    channel: 'web_push',
    async send(m) {
      const sub = parseSubscription(m.to);
      if (!sub) {
        throw new ProviderError({
          kind: 'permanent',
          code: 'invalid_address',
          message: 'The address is not a push subscription ({ endpoint, keys: { p256dh, auth } }).',
        });
      }
      if (!endpointPattern.test(sub.endpoint)) {
        throw new ProviderError({
          kind: 'permanent',
          code: 'endpoint_not_allowed',
          message: `The push endpoint's origin does not match provider ${s.name}'s endpointPattern (${endpointPattern.source}).`,
        });
      }
      const c = m.content;
      let details;
      try {
        // Loaded at the first push: it is a few dozen modules that a Herald with no web push never uses.
        const { default: wp } = await import('web-push');
        details = wp.generateRequestDetails(sub, webPushPayload(m), {
          vapidDetails: { subject: s.subject, publicKey: s.publicKey, privateKey: s.privateKey },
          TTL: c.ttlSeconds ?? s.ttlSeconds ?? 24 * 3600,
          contentEncoding: 'aes128gcm',
          ...(c.urgency ? { urgency: c.urgency } : {}),
          ...(c.topic ? { topic: c.topic } : {}),
        });
      } catch (err) {
        // Bad keys in the subscription or an oversized payload: no retry changes that.
        throw new ProviderError(
          { kind: 'permanent', code: 'invalid_request', message: (err as Error).message },
          err,
        );
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(details.headers))
        if (k.toLowerCase() !== 'content-length') headers[k] = String(v);
      let res;
      try {
        res = await http.send({
          url: details.endpoint,
          method: details.method,
          headers,
          body: details.body ?? '',
        });
      } catch (err) {
        throw new ProviderError(classifyNetworkError(err, 'push service'), err);
      }
      if (res.status >= 200 && res.status < 300) return { providerMessageId: res.headers.location ?? null };
      throw new ProviderError(classifyWebPushError(res.status, res.text, res.headers));
    },
    close: () => http.close(),
  };
}
