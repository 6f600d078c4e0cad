/** Plivo (SMS): the Message API, JSON with basic auth (Auth ID and auth token), with signed status callbacks as receipts. */
import { Type } from 'typebox';
import { BaseUrl, defineProvider, Name, ServiceUrls, strict, Timeout } from '../provider.ts';
import { plivoReceipts } from './plivo-receipts.ts';
import { createPlivoSender } from './plivo-sender.ts';

const urlFields = ['baseUrl'] as const;

export const plivo = defineProvider({
  type: 'plivo',
  channel: 'sms',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('plivo'),
      /** The account's Auth ID: `MA…` (main account) or `SA…` (subaccount), 20 characters. */
      authId: Type.String({ pattern: '^[MS]A[A-Z0-9]{18}$' }),
      authToken: Type.String({ minLength: 1 }),
      /** A sending number (E.164) or alphanumeric sender id… */
      from: Type.Optional(Type.String({ minLength: 1 })),
      /** …or a Powerpack, which picks the number itself. */
      powerpackUuid: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F-]{36}$' })),
      /** Ask Plivo for status callbacks at `<publicUrl>/v1/receipts/<name>` (needs publicUrl). */
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
    if (!entry.from === !entry.powerpackUuid)
      return `Plivo provider '${entry.name}' needs either from or powerpackUuid (not both).`;
    if (entry.statusCallbacks && !publicUrl)
      return `Plivo provider '${entry.name}' asks for status callbacks: set publicUrl.`;
    return null;
  },
  create: (entry, { refusePrivate, receiptUrl }) =>
    createPlivoSender({
      ...entry,
      refusePrivate,
      statusCallbackUrl: entry.statusCallbacks ? receiptUrl(entry.name) : undefined,
    }),
  receipts: { endpoint: plivoReceipts },
});
