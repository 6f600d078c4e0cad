/**
 * SMS through the Vonage SMS API (`POST /sms/json`). Success is decided per message from the body's
 * `status`, never from the HTTP status alone; `client-ref` carries the delivery id into receipts.
 */
import type { Sender } from '../../../ports/sender.ts';
import { ProviderError } from '../../../ports/sender.ts';
import {
  classifyHttpStatus,
  classifyNetworkError,
  createHttpClient,
  parseJson,
} from '../http/undici-http.ts';
import { classifyVonageStatus } from './vonage-errors.ts';

export interface VonageSettings {
  name: string;
  apiKey: string;
  apiSecret: string;
  from: string;
  /** Delivery receipt URL; else the account's default. */
  callbackUrl?: string | undefined;
  /** Defaults to https://rest.nexmo.com. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** The URLs came from a service, not the operator: refuse private addresses (net/ssrf-guard.ts). */
  refusePrivate?: boolean | undefined;
}

interface VonageAnswer {
  'message-count'?: string;
  messages?: { status?: string; 'message-id'?: string; 'error-text'?: string }[];
}

export function createVonageSender(s: VonageSettings): Sender<'sms'> {
  const base = (s.baseUrl ?? 'https://rest.nexmo.com').replace(/\/$/, '');
  const http = createHttpClient({ timeoutMs: s.timeoutMs, refusePrivate: s.refusePrivate });
  return {
    name: s.name,
    channel: 'sms',
    async send(m) {
      const text = m.content.text;
      const form = new URLSearchParams({
        api_key: s.apiKey,
        api_secret: s.apiSecret,
        from: s.from,
        // Vonage wants the number without the leading '+'.
        to: m.to.replace(/^\+/, ''),
        text,
        'client-ref': m.deliveryId,
      });
      // Anything outside GSM-7's basic range must go as unicode or it arrives garbled.
      if (/[^\n\r\x20-\x7e£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà]/.test(text)) form.set('type', 'unicode');
      if (s.callbackUrl) form.set('callback', s.callbackUrl);
      let res;
      try {
        res = await http.send({
          url: `${base}/sms/json`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        });
      } catch (err) {
        throw new ProviderError(classifyNetworkError(err, 'Vonage'), err);
      }
      if (res.status !== 200) {
        throw new ProviderError(
          classifyHttpStatus(
            res.status,
            'vonage',
            `Vonage HTTP ${res.status}: ${res.text.slice(0, 300)}`,
            res.headers['retry-after'],
          ),
        );
      }
      const answer = parseJson(res.text) as VonageAnswer | undefined;
      const messages = answer?.messages ?? [];
      if (messages.length === 0) {
        throw new ProviderError({
          kind: 'transient',
          code: 'vonage_bad_answer',
          message: `Vonage answered without messages: ${res.text.slice(0, 300)}`,
        });
      }
      // A long text is split into parts; it is sent only if every part was accepted.
      const refused = messages.find((p) => p.status !== '0');
      if (refused) throw new ProviderError(classifyVonageStatus(refused.status ?? '', refused['error-text']));
      return { providerMessageId: messages[0]?.['message-id'] ?? null };
    },
    close: () => http.close(),
  };
}
