/** Web push (web_push): VAPID-signed, aes128gcm-encrypted messages to browsers' push services. */
import { Type } from 'typebox';
import { defineProvider, Name, strict, Timeout } from '../provider.ts';
import { createWebPushSender } from './webpush-sender.ts';

export const webpush = defineProvider({
  type: 'webpush',
  channel: 'web_push',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('webpush'),
      subject: Type.String({ pattern: '^(mailto:|https://)' }),
      publicKey: Type.String({ minLength: 40 }),
      privateKey: Type.String({ minLength: 20 }),
      ttlSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 2419200 })),
      endpointPattern: Type.Optional(Type.String({ minLength: 1 })),
      timeoutMs: Timeout,
    },
    strict,
  ),
  // Push endpoints come with each subscription, checked against endpointPattern (the operator's).
  urlFields: [],
  serviceCredentials: {},
  create: (entry, { refusePrivate }) => createWebPushSender({ ...entry, refusePrivate }),
});
