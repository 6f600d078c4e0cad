/** Twilio (SMS): the Messages API, with status callbacks signed with the auth token as receipts. */
import { Type } from 'typebox';
import { BaseUrl, defineProvider, Name, ServiceUrls, strict, Timeout } from '../provider.ts';
import { twilioReceipts } from './twilio-receipts.ts';
import { createTwilioSender } from './twilio-sender.ts';

const urlFields = ['baseUrl'] as const;

export const twilio = defineProvider({
  type: 'twilio',
  channel: 'sms',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('twilio'),
      accountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }),
      authToken: Type.String({ minLength: 1 }),
      from: Type.Optional(Type.String({ minLength: 1 })),
      messagingServiceSid: Type.Optional(Type.String({ pattern: '^MG[0-9a-fA-F]{32}$' })),
      /** Ask Twilio for status callbacks at `<publicUrl>/v1/receipts/<name>` (needs publicUrl). */
      statusCallbacks: Type.Optional(Type.Boolean()),
      baseUrl: BaseUrl,
      serviceUrls: ServiceUrls(urlFields),
      timeoutMs: Timeout,
    },
    strict,
  ),
  urlFields,
  serviceCredentials: {},
  check(entry, { publicUrl }) {
    if (!entry.from && !entry.messagingServiceSid)
      return `Twilio provider '${entry.name}' needs from or messagingServiceSid.`;
    if (entry.statusCallbacks && !publicUrl)
      return `Twilio provider '${entry.name}' asks for status callbacks: set publicUrl.`;
    return null;
  },
  create: (entry, { refusePrivate, receiptUrl }) =>
    createTwilioSender({
      ...entry,
      refusePrivate,
      statusCallbackUrl: entry.statusCallbacks ? receiptUrl(entry.name) : undefined,
    }),
  receipts: { endpoint: twilioReceipts },
});
