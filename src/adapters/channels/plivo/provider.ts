/** Plivo (SMS): the Message API, JSON with basic auth (Auth ID and auth token). */
import { Type } from 'typebox';
import { BaseUrl, defineProvider, Name, ServiceUrls, strict, Timeout } from '../provider.ts';
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
      baseUrl: BaseUrl,
      serviceUrls: ServiceUrls(urlFields),
      timeoutMs: Timeout,
    },
    strict,
  ),
  urlFields,
  serviceCredentials: {},
  check(entry) {
    if (!entry.from === !entry.powerpackUuid)
      return `Plivo provider '${entry.name}' needs either from or powerpackUuid (not both).`;
    return null;
  },
  create: (entry, { refusePrivate }) => createPlivoSender({ ...entry, refusePrivate }),
});
