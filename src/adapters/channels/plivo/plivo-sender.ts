/**
 * SMS through Plivo's Message API (`POST /v1/Account/{auth_id}/Message/`): JSON `{ src, dst, text }`
 * with basic auth. Plivo answers 202 with `message_uuid` (one per destination); Herald sends to one.
 */
import type { Sender } from '../../../ports/sender.ts';
import { ProviderError } from '../../../ports/sender.ts';
import { classifyNetworkError, createHttpClient, parseJson } from '../http/undici-http.ts';
import { classifyPlivoError } from './plivo-errors.ts';

export interface PlivoSettings {
  name: string;
  authId: string;
  authToken: string;
  /** A sending number (E.164) or alphanumeric sender id… */
  from?: string | undefined;
  /** …or a Powerpack, which picks the number itself. */
  powerpackUuid?: string | undefined;
  /** Where Plivo should POST status callbacks (Herald's receipt URL for this provider). */
  statusCallbackUrl?: string | undefined;
  /** Defaults to https://api.plivo.com. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** The URLs came from a service, not the operator: refuse private addresses (net/ssrf-guard.ts). */
  refusePrivate?: boolean | undefined;
}

interface PlivoAccepted {
  message_uuid?: unknown;
  api_id?: string;
  message?: string;
}

export function createPlivoSender(s: PlivoSettings): Sender<'sms'> {
  const base = (s.baseUrl ?? 'https://api.plivo.com').replace(/\/$/, '');
  const http = createHttpClient({ timeoutMs: s.timeoutMs, refusePrivate: s.refusePrivate });
  const auth = `Basic ${Buffer.from(`${s.authId}:${s.authToken}`).toString('base64')}`;
  const url = `${base}/v1/Account/${encodeURIComponent(s.authId)}/Message/`;
  return {
    name: s.name,
    channel: 'sms',
    async send(m) {
      const body: Record<string, string> = { dst: m.to, text: m.content.text, type: 'sms' };
      if (s.powerpackUuid) body['powerpack_uuid'] = s.powerpackUuid;
      else if (s.from) body['src'] = s.from;
      if (s.statusCallbackUrl) {
        body['url'] = s.statusCallbackUrl;
        body['method'] = 'POST';
      }
      let res;
      try {
        res = await http.send({
          url,
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      } catch (err) {
        throw new ProviderError(classifyNetworkError(err, 'Plivo'), err);
      }
      if (res.status === 202 || res.status === 200) {
        const ok = parseJson(res.text) as PlivoAccepted | undefined;
        const ids = Array.isArray(ok?.message_uuid) ? ok.message_uuid : [];
        return { providerMessageId: typeof ids[0] === 'string' ? ids[0] : null };
      }
      throw new ProviderError(classifyPlivoError(res.status, res.text, res.headers));
    },
    close: () => http.close(),
  };
}
