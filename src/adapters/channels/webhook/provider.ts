/** Webhooks: signed POSTs (Standard Webhooks) to each address. The operator's own: no service credentials. */
import { Type } from 'typebox';
import { operatorOnly, Name, strict } from '../provider.ts';
import { createWebhookSender } from './webhook-sender.ts';

export const webhook = operatorOnly({
  type: 'webhook',
  channel: 'webhook',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('webhook'),
      /** Standard Webhooks signing secret, `whsec_<base64>`. */
      secret: Type.String({ pattern: '^whsec_[A-Za-z0-9+/=]{16,}$' }),
      timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
    },
    strict,
  ),
  // The URL is each message's address, checked at every connection (net/ssrf-guard.ts).
  urlFields: [],
  create: (entry, { allowPrivateUrls }) => createWebhookSender({ ...entry, allowPrivate: allowPrivateUrls }),
});
