/**
 * A browser's web push subscription, in the one shape both sides use: the planner writes it as a web
 * push delivery's address, the sender reads it back. It is `PushSubscription.toJSON()` as browsers
 * give it (W3C Push API): `{ "endpoint", "keys": { "p256dh", "auth" } }`.
 */
export interface WebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** The delivery address for a subscription: its JSON, with the fields in a fixed order. */
export function subscriptionAddress(s: WebPushSubscription): string {
  return JSON.stringify({ endpoint: s.endpoint, keys: { p256dh: s.keys.p256dh, auth: s.keys.auth } });
}

/** The subscription an address holds, or null when it holds none. */
export function parseSubscription(address: string): WebPushSubscription | null {
  let s: Partial<WebPushSubscription>;
  try {
    s = JSON.parse(address) as Partial<WebPushSubscription>;
  } catch {
    return null;
  }
  if (
    typeof s?.endpoint === 'string' &&
    typeof s.keys?.p256dh === 'string' &&
    typeof s.keys.auth === 'string'
  )
    return { endpoint: s.endpoint, keys: { p256dh: s.keys.p256dh, auth: s.keys.auth } };
  return null;
}
