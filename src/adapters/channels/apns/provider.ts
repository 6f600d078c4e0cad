/** Apple Push Notification service (push): HTTP/2 with an ES256 provider token from a .p8 key. */
import { readFileSync } from 'node:fs';
import { Type } from 'typebox';
import { BaseUrl, defineProvider, Name, ServiceUrls, strict, Timeout } from '../provider.ts';
import { createApnsSender } from './apns-sender.ts';

const urlFields = ['baseUrl'] as const;

export const apns = defineProvider({
  type: 'apns',
  channel: 'push',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('apns'),
      teamId: Type.String({ pattern: '^[A-Z0-9]{10}$' }),
      keyId: Type.String({ pattern: '^[A-Z0-9]{10}$' }),
      /** The .p8 key's PEM text (or its path in `privateKeyFile`). */
      privateKey: Type.Optional(Type.String({ minLength: 32 })),
      privateKeyFile: Type.Optional(Type.String({ minLength: 1 })),
      topic: Type.String({ minLength: 1 }),
      /** Use the sandbox endpoint (development builds). */
      sandbox: Type.Optional(Type.Boolean()),
      tokenTtlMs: Type.Optional(Type.Integer({ minimum: 20 * 60_000, maximum: 60 * 60_000 })),
      baseUrl: BaseUrl,
      serviceUrls: ServiceUrls(urlFields),
      timeoutMs: Timeout,
    },
    strict,
  ),
  urlFields,
  serviceCredentials: { requiredSecrets: ['privateKey'] },
  check: (entry) =>
    !entry.privateKey === !entry.privateKeyFile
      ? `APNs provider '${entry.name}' needs exactly one of privateKey or privateKeyFile.`
      : null,
  create(entry, { refusePrivate }) {
    const privateKey = entry.privateKey ?? readFileSync(entry.privateKeyFile ?? '', 'utf8');
    const baseUrl = entry.baseUrl ?? (entry.sandbox ? 'https://api.sandbox.push.apple.com' : undefined);
    return createApnsSender({ ...entry, privateKey, baseUrl, refusePrivate });
  },
});
