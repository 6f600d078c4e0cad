/** Firebase Cloud Messaging (push): HTTP v1, with OAuth tokens from a service account key. */
import { readFileSync } from 'node:fs';
import { Type } from 'typebox';
import { BaseUrl, defineProvider, Name, ServiceUrls, strict, Timeout } from '../provider.ts';
import type { ServiceAccount } from './fcm-oauth.ts';
import { createFcmSender } from './fcm-sender.ts';

const urlFields = ['baseUrl', 'tokenUrl', 'serviceAccount/token_uri'] as const;

export const fcm = defineProvider({
  type: 'fcm',
  channel: 'push',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('fcm'),
      /** The service account JSON key as Google issues it (or its path in `serviceAccountFile`). */
      serviceAccount: Type.Optional(
        Type.Object({
          project_id: Type.String({ minLength: 1 }),
          client_email: Type.String({ minLength: 3 }),
          private_key: Type.String({ minLength: 32 }),
          private_key_id: Type.Optional(Type.String()),
          token_uri: Type.Optional(Type.String({ pattern: '^https?://' })),
        }),
      ),
      serviceAccountFile: Type.Optional(Type.String({ minLength: 1 })),
      tokenUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
      baseUrl: BaseUrl,
      serviceUrls: ServiceUrls(urlFields),
      timeoutMs: Timeout,
    },
    strict,
  ),
  urlFields,
  serviceCredentials: {
    requiredSecrets: ['serviceAccount'],
    // Google's key files carry its token endpoint: a service can paste its key file unchanged.
    publicUrls: { 'serviceAccount/token_uri': ['https://oauth2.googleapis.com/token'] },
  },
  check: (entry) =>
    !entry.serviceAccount === !entry.serviceAccountFile
      ? `FCM provider '${entry.name}' needs exactly one of serviceAccount or serviceAccountFile.`
      : null,
  create(entry, { refusePrivate }) {
    const serviceAccount = (entry.serviceAccount ??
      JSON.parse(readFileSync(entry.serviceAccountFile ?? '', 'utf8'))) as ServiceAccount;
    return createFcmSender({ ...entry, serviceAccount, refusePrivate });
  },
});
