/** SendGrid (email): the v3 Mail Send API, with receipts from the signed Event Webhook. */
import { Type } from 'typebox';
import { BaseUrl, defineProvider, Name, ServiceUrls, strict, Timeout } from '../provider.ts';
import { sendGridReceipts } from './sendgrid-receipts.ts';
import { createSendGridSender } from './sendgrid-sender.ts';

const urlFields = ['baseUrl'] as const;

export const sendgrid = defineProvider({
  type: 'sendgrid',
  channel: 'email',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('sendgrid'),
      apiKey: Type.String({ minLength: 1 }),
      from: Type.String({ minLength: 3 }),
      /** The Event Webhook's verification key (base64 DER, from SendGrid's Mail Settings). */
      webhookPublicKey: Type.Optional(Type.String({ minLength: 16 })),
      baseUrl: BaseUrl,
      serviceUrls: ServiceUrls(urlFields),
      timeoutMs: Timeout,
    },
    strict,
  ),
  urlFields,
  serviceCredentials: {},
  create: (entry, { refusePrivate }) => createSendGridSender({ ...entry, refusePrivate }),
  receipts: {
    endpoint: ({ name, webhookPublicKey }, context) =>
      webhookPublicKey ? sendGridReceipts({ name, webhookPublicKey }, context) : undefined,
  },
});
