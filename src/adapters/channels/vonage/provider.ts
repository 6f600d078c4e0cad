/** Vonage (SMS): the SMS API, form-encoded with the API key and secret. */
import { Type } from 'typebox';
import { BaseUrl, defineProvider, Name, ServiceUrls, strict, Timeout } from '../provider.ts';
import { createVonageSender } from './vonage-sender.ts';

const urlFields = ['baseUrl', 'callbackUrl'] as const;

export const vonage = defineProvider({
  type: 'vonage',
  channel: 'sms',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('vonage'),
      apiKey: Type.String({ minLength: 1 }),
      apiSecret: Type.String({ minLength: 1 }),
      from: Type.String({ minLength: 1 }),
      callbackUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
      baseUrl: BaseUrl,
      serviceUrls: ServiceUrls(urlFields),
      timeoutMs: Timeout,
    },
    strict,
  ),
  urlFields,
  serviceCredentials: {},
  create: (entry, { refusePrivate }) => createVonageSender({ ...entry, refusePrivate }),
});
