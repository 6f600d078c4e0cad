export const CHANNELS = ['email', 'sms', 'push', 'web_push', 'in_app', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Addressable {
  id: string;
  email?: string | null;
  phone?: string | null;
  attributes?: Record<string, unknown>;
}

/**
 * Where a channel sends for one recipient, or null when the recipient has no address for it.
 * Push, web push and webhook addresses (device tokens, subscriptions, endpoint URLs) are registered
 * per recipient; until one is, those channels have nowhere to go. A webhook goes to the URL in the
 * notification's `content.webhook.url`, else to the recipient's `webhookUrl` attribute.
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
      return null;
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
