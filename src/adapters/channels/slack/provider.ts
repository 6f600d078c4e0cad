/** Slack incoming webhooks, on the webhook channel: each address is a webhook URL under baseUrl. */
import { Type } from 'typebox';
import { BaseUrl, defineProvider, Name, ServiceUrls, strict, Timeout } from '../provider.ts';
import { createSlackSender } from './slack-sender.ts';

const urlFields = ['baseUrl'] as const;

export const slack = defineProvider({
  type: 'slack',
  channel: 'webhook',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('slack'),
      baseUrl: BaseUrl,
      serviceUrls: ServiceUrls(urlFields),
      timeoutMs: Timeout,
    },
    strict,
  ),
  urlFields,
  serviceCredentials: {},
  create: (entry, { allowPrivateUrls }) => createSlackSender({ ...entry, allowPrivate: allowPrivateUrls }),
});
