/**
 * Twilio status callbacks. Authenticity: `X-Twilio-Signature` is base64 HMAC-SHA1, keyed with the auth
 * token, of the full callback URL followed by every POST parameter as name+value, sorted by name.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Receipt } from '../../../ports/receipts.ts';

export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort();
  let data = url;
  for (const name of names) for (const value of params.getAll(name).sort()) data += name + value;
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: URLSearchParams,
  given: string | undefined,
): boolean {
  if (!given) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Final statuses become receipts; intermediate ones (queued, sending, sent) are acknowledged only. */
export function parseTwilioStatus(provider: string, params: URLSearchParams): Receipt | null {
  const status = params.get('MessageStatus') ?? params.get('SmsStatus');
  const sid = params.get('MessageSid') ?? params.get('SmsSid');
  if (!sid || !status) return null;
  const errorCode = params.get('ErrorCode');
  const base = { provider, deliveryId: null, providerMessageId: sid, suppress: false, occurredAt: null };
  const detail = Object.fromEntries([...params.entries()].filter(([k]) => k !== 'Body'));
  if (status === 'delivered') return { ...base, event: 'delivered', reason: null, detail };
  if (status === 'undelivered' || status === 'failed')
    return {
      ...base,
      event: 'failed',
      reason: `twilio_${status}${errorCode ? `_${errorCode}` : ''}`,
      detail,
    };
  return null;
}
