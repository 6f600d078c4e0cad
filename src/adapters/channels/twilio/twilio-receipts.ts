/**
 * Twilio status callbacks. Authenticity: `X-Twilio-Signature` is base64 HMAC-SHA1, keyed with the auth
 * token, of the full callback URL followed by every POST parameter as name+value, sorted by name.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../../../domain/errors.ts';
import type { ReceiptEndpoint } from '../../../ports/receipt-endpoint.ts';
import type { Receipt } from '../../../ports/receipts.ts';
import type { ReceiptContext } from '../provider.ts';

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

/** Twilio's resource ids (`SM…`, `AC…`): two letters and 32 hex digits. Nothing else is looked up. */
const TWILIO_SID = /^[A-Z]{2}[0-9a-f]{32}$/i;

/**
 * The receipt endpoint of one Twilio entry. A callback signed with the entry's token is the
 * operator's; otherwise it may come from a service's own Twilio account (a delivery sent with its
 * own credentials is reported, and signed, by that account) and may then change that service's
 * deliveries only.
 */
export function twilioReceipts(
  entry: { name: string; authToken: string },
  context: Pick<ReceiptContext, 'ownCredentials'>,
): ReceiptEndpoint {
  const ownAccounts = async (sid: string, account: string) =>
    (await context.ownCredentials?.(entry.name, sid))?.flatMap(({ serviceId, type, credentials: c }) =>
      type === 'twilio' && c['accountSid'] === account && typeof c['authToken'] === 'string'
        ? [{ serviceId, authToken: c['authToken'] }]
        : [],
    ) ?? [];
  return {
    async read({ url, header, raw }) {
      const params = new URLSearchParams(raw);
      const given = header('x-twilio-signature');
      let serviceId: string | undefined;
      if (!verifyTwilioSignature(entry.authToken, url, params, given)) {
        const sid = params.get('MessageSid') ?? params.get('SmsSid');
        const account = params.get('AccountSid');
        const candidates =
          given && sid && account && TWILIO_SID.test(sid) && TWILIO_SID.test(account)
            ? await ownAccounts(sid, account)
            : [];
        serviceId = candidates.find((own) =>
          verifyTwilioSignature(own.authToken, url, params, given),
        )?.serviceId;
        if (!serviceId) throw unauthorized('X-Twilio-Signature does not match.');
      }
      const r = parseTwilioStatus(entry.name, params);
      return r ? [serviceId ? { ...r, serviceId } : r] : [];
    },
  };
}
