/** Amazon SES (email): the v2 SendEmail API signed with SigV4, with receipts from SNS notifications. */
import { Type } from 'typebox';
import { BaseUrl, defineProvider, Name, ServiceUrls, strict, Timeout } from '../provider.ts';
import { sesReceipts } from './ses-receipts.ts';
import { createSesSender } from './ses-sender.ts';

const urlFields = ['baseUrl'] as const;

/** Where SNS signing certificates may be fetched from (a URL pattern): `receipts.snsCertUrlPattern`. */
export const SNS_CERT_URL_PATTERN = '^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/';

export const ses = defineProvider({
  type: 'ses',
  channel: 'email',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('ses'),
      region: Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' }),
      accessKeyId: Type.String({ minLength: 1 }),
      secretAccessKey: Type.String({ minLength: 1 }),
      sessionToken: Type.Optional(Type.String()),
      from: Type.String({ minLength: 3 }),
      configurationSet: Type.Optional(Type.String()),
      /** SNS topics allowed to post events for this provider; none when absent (any AWS account can sign SNS). */
      snsTopicArns: Type.Optional(Type.Array(Type.String({ pattern: '^arn:' }))),
      baseUrl: BaseUrl,
      serviceUrls: ServiceUrls(urlFields),
      timeoutMs: Timeout,
    },
    strict,
  ),
  urlFields,
  serviceCredentials: {},
  create: (entry, { refusePrivate }) => createSesSender({ ...entry, refusePrivate }),
  receipts: { endpoint: sesReceipts },
});
