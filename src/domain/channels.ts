import { subscriptionAddress } from './web-push-subscription.ts';

export const CHANNELS = ['email', 'sms', 'push', 'web_push', 'in_app', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A registered push target: an app install (`ios`/`android` token) or a browser web-push subscription. */
export interface DeviceAddress {
  id: string;
  platform: 'ios' | 'android' | 'web';
  /** The FCM/APNs token, or the web-push endpoint URL. */
  token: string;
  /** Web push only: the subscription's keys (RFC 8291). */
  keys?: { p256dh: string; auth: string } | null;
  active: boolean;
}

export interface Addressable {
  id: string;
  email?: string | null;
  phone?: string | null;
  devices?: readonly DeviceAddress[];
  attributes?: Record<string, unknown>;
}

/**
 * One place a channel sends to: `target` tells a recipient's devices apart ('' for single-address
 * channels). A web push address is the whole subscription (web-push-subscription.ts), since the
 * sender needs its keys as much as its endpoint.
 */
export interface Target {
  target: string;
  address: string;
  device?: DeviceAddress;
}

/**
 * Every place a channel sends to for one recipient. Push and web push fan out to each active device,
 * one delivery per device, so a dead token fails alone and a retry never re-sends to the others.
 */
export function targetsFor(
  channel: Channel,
  recipient: Addressable,
  content?: Record<string, unknown>,
): Target[] {
  if (channel === 'push' || channel === 'web_push') {
    const wanted = (d: DeviceAddress) => d.active && (channel === 'web_push') === (d.platform === 'web');
    return (recipient.devices ?? [])
      .filter(wanted)
      .map((device) => ({ target: device.id, address: deviceAddress(device), device }));
  }
  const address = addressFor(channel, recipient, content);
  return address === null ? [] : [{ target: '', address }];
}

function deviceAddress(d: DeviceAddress): string {
  return d.platform === 'web' && d.keys ? subscriptionAddress({ endpoint: d.token, keys: d.keys }) : d.token;
}

/**
 * Where a channel sends for one recipient, or null when the recipient has no address for it.
 * Push and web push resolve to the recipient's first active device (see `targetsFor` for all of
 * them). A webhook goes to the URL in the notification's `content.webhook.url`, else to the
 * recipient's `webhookUrl` attribute.
 */
export function addressFor(
  channel: Channel,
  recipient: Addressable,
  content?: Record<string, unknown>,
): string | null {
  switch (channel) {
    case 'email':
      return recipient.email ?? null;
    case 'sms':
      return recipient.phone ?? null;
    case 'in_app':
      return recipient.id;
    case 'webhook': {
      const url = content?.url ?? recipient.attributes?.webhookUrl;
      return typeof url === 'string' && url !== '' ? url : null;
    }
    case 'push':
    case 'web_push':
      return targetsFor(channel, recipient)[0]?.address ?? null;
  }
}

export const ADDRESS_NAME: Readonly<Record<Channel, string>> = {
  email: 'an email address',
  sms: 'a phone number',
  push: 'a registered push device',
  web_push: 'a web push subscription',
  in_app: 'an inbox',
  webhook: 'a webhook endpoint',
};

/** An address as the suppression list keys it: email addresses compare case-insensitively; everything else exactly. */
export function suppressionKey(channel: string, address: string): string {
  return `${channel}\n${channel === 'email' ? address.trim().toLowerCase() : address}`;
}
