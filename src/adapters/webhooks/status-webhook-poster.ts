/**
 * Posts one status event to a service's endpoint, signed per Standard Webhooks with the endpoint's
 * own secret (the same signer as the webhook channel). Redirects are not followed; unless private
 * addresses are allowed, every connection goes through the SSRF guard's lookup, and literal IPs are
 * checked before connecting (a socket does not look those up).
 */
import { lazyAgent, undici } from '../net/lazy-undici.ts';
import { sign, signatureKey } from '../channels/webhook/webhook-sender.ts';
import { guardedConnect, privateAddressRefusal, refusePrivateLiteral } from '../net/ssrf-guard.ts';
import type { StatusWebhookPoster } from '../../ports/status-webhooks.ts';

export function createStatusWebhookPoster(o: {
  timeoutMs: number;
  allowPrivate: boolean;
  now?: () => number;
}): StatusWebhookPoster {
  const now = o.now ?? Date.now;
  const agent = lazyAgent(() => ({
    keepAliveTimeout: 30_000,
    connections: 64,
    ...guardedConnect(o.allowPrivate),
  }));
  return {
    async post(m) {
      const url = new URL(m.url);
      const timestamp = Math.floor(now() / 1000);
      const body = JSON.stringify(m.payload);
      try {
        if (!o.allowPrivate) refusePrivateLiteral(url);
        const { request } = await undici();
        const res = await request(url, {
          method: 'POST',
          dispatcher: await agent.get(),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Herald',
            'webhook-id': m.eventId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': sign(signatureKey(m.secret), m.eventId, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(o.timeoutMs),
        });
        await res.body.dump();
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        return { statusCode: res.statusCode, error: ok ? null : `HTTP ${res.statusCode}` };
      } catch (err) {
        const refusal = privateAddressRefusal(err);
        if (refusal) return { statusCode: null, error: `refused: ${refusal.message}` };
        const e = err as Error & { code?: string };
        const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
        return {
          statusCode: null,
          error: timedOut ? `no answer within ${o.timeoutMs} ms` : (e.code ?? e.message).slice(0, 500),
        };
      }
    },
    async close() {
      await agent.close();
    },
  };
}
