/**
 * SMS through Twilio's Messages API: form-encoded, basic auth with the Account SID and auth token, and a
 * `StatusCallback` so delivery receipts come back to Herald (see http/routes/receipts.ts).
 */
import type { Sender } from '../../../ports/sender.ts';
import { ProviderError } from '../../../ports/sender.ts';
import { classifyNetworkError, createHttpClient, parseJson } from '../http/undici-http.ts';
import { classifyTwilioError } from './twilio-errors.ts';

export interface TwilioSettings {
  name: string;
  accountSid: string;
  authToken: string;
  /** A sending number (E.164) or alphanumeric sender id… */
  from?: string | undefined;
  /** …or a Messaging Service, which picks the number itself. */
  messagingServiceSid?: string | undefined;
  /** Where Twilio posts status callbacks; Herald's `/v1/receipts/twilio/<name>` on its public URL. */
  statusCallbackUrl?: string | undefined;
  /** Defaults to https://api.twilio.com. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** The URLs came from a service, not the operator: refuse private addresses (net/ssrf-guard.ts). */
  refusePrivate?: boolean | undefined;
}

export function createTwilioSender(s: TwilioSettings): Sender<'sms'> {
  const base = (s.baseUrl ?? 'https://api.twilio.com').replace(/\/$/, '');
  const http = createHttpClient({ timeoutMs: s.timeoutMs, refusePrivate: s.refusePrivate });
  const auth = `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`;
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(s.accountSid)}/Messages.json`;
  return {
    name: s.name,
    channel: 'sms',
    async send(m) {
      const form = new URLSearchParams({ To: m.to, Body: m.content.text });
      if (s.messagingServiceSid) form.set('MessagingServiceSid', s.messagingServiceSid);
      else if (s.from) form.set('From', s.from);
      if (s.statusCallbackUrl) form.set('StatusCallback', s.statusCallbackUrl);
      let res;
      try {
        res = await http.send({
          url,
          headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        });
      } catch (err) {
        throw new ProviderError(classifyNetworkError(err, 'Twilio'), err);
      }
      if (res.status === 200 || res.status === 201) {
        const ok = parseJson(res.text) as { sid?: string } | undefined;
        return { providerMessageId: ok?.sid ?? null };
      }
      throw new ProviderError(classifyTwilioError(res.status, res.text, res.headers));
    },
    close: () => http.close(),
  };
}
