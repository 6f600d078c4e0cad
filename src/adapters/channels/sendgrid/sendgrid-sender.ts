/**
 * Email through SendGrid's v3 Mail Send API. Each message carries `custom_args.delivery_id`, which the
 * Event Webhook echoes back on every event; `X-Message-Id` is kept as the provider's id.
 */
import type { Sender, OutgoingMessage } from '../../../ports/sender.ts';
import { ProviderError } from '../../../ports/sender.ts';
import { classifyNetworkError, createHttpClient } from '../http/undici-http.ts';
import { classifySendGridError } from './sendgrid-errors.ts';

export interface SendGridSettings {
  name: string;
  apiKey: string;
  from: string;
  /** Defaults to https://api.sendgrid.com (EU accounts: https://api.eu.sendgrid.com). */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** The URLs came from a service, not the operator: refuse private addresses (net/ssrf-guard.ts). */
  refusePrivate?: boolean | undefined;
}

/** "Acme <noreply@acme.test>" → { name, email }. */
export function parseAddress(from: string): { email: string; name?: string } {
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(from);
  if (!m) return { email: from.trim() };
  const name = m[1]?.replace(/^"|"$/g, '');
  return name ? { email: m[2] ?? '', name } : { email: m[2] ?? '' };
}

export function sendGridBody(m: OutgoingMessage<'email'>, from: string): Record<string, unknown> {
  const c = m.content;
  const content = [
    ...(c.text !== undefined ? [{ type: 'text/plain', value: c.text }] : []),
    ...(c.html !== undefined ? [{ type: 'text/html', value: c.html }] : []),
  ];
  return {
    personalizations: [{ to: [{ email: m.to }] }],
    from: parseAddress(from),
    subject: c.subject ?? '',
    content: content.length ? content : [{ type: 'text/plain', value: ' ' }],
    custom_args: { delivery_id: m.deliveryId, notification_id: m.notificationId },
  };
}

export function createSendGridSender(s: SendGridSettings): Sender<'email'> {
  const base = (s.baseUrl ?? 'https://api.sendgrid.com').replace(/\/$/, '');
  const http = createHttpClient({ timeoutMs: s.timeoutMs, refusePrivate: s.refusePrivate });
  return {
    name: s.name,
    channel: 'email',
    async send(m) {
      let res;
      try {
        res = await http.send({
          url: `${base}/v3/mail/send`,
          headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(sendGridBody(m, s.from)),
        });
      } catch (err) {
        throw new ProviderError(classifyNetworkError(err, 'SendGrid'), err);
      }
      if (res.status >= 200 && res.status < 300) {
        return { providerMessageId: res.headers['x-message-id'] ?? null };
      }
      throw new ProviderError(classifySendGridError(res.status, res.text, res.headers));
    },
    close: () => http.close(),
  };
}
