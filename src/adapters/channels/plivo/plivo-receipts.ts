/**
 * Plivo message status callbacks: Plivo POSTs the message's attributes as form fields to the `url`
 * given with the message (`MessageUUID`, `Status`, `ErrorCode`, …) each time its status changes.
 *
 * Authenticity: every callback is signed, base64 HMAC-SHA256 keyed with the auth token of the account
 * that sent the message, in two schemes. When a request carries both, only V3 is checked.
 * - V3 (`X-Plivo-Signature-V3`, nonce `X-Plivo-Signature-V3-Nonce`): over the URL without its query,
 *   `?`, the query parameters sorted as `k=v` joined by `&` and then `.` (when there is a query), every
 *   POST parameter sorted by name as name followed by value, then `.` and the nonce. It covers the body.
 * - V2 (`X-Plivo-Signature-V2`, nonce `X-Plivo-Signature-V2-Nonce`): over the URL without its query
 *   followed by the nonce. It does not cover the body: a V2 signature read off one callback would
 *   vouch for any body sent with it to the same URL. Plivo documents V2 for message callbacks.
 * The `-Ma-` variants are signed with the main account's token; a header may list several signatures
 * separated by commas.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../../../domain/errors.ts';
import type { ReceiptEndpoint, ReceiptRequest } from '../../../ports/receipt-endpoint.ts';
import type { Receipt } from '../../../ports/receipts.ts';
import type { ReceiptContext } from '../provider.ts';

const hmac = (authToken: string, data: string) =>
  createHmac('sha256', authToken).update(data, 'utf8').digest('base64');

/** The URL as both schemes start it: scheme, host (with any port) and path; no query. */
const withoutQuery = (u: URL) => `${u.protocol}//${u.host}${u.pathname}`;

const sortedPairs = (params: URLSearchParams): [string, string][] =>
  [...new Set(params.keys())].sort().flatMap((name) =>
    params
      .getAll(name)
      .sort()
      .map((v): [string, string] => [name, v]),
  );

export function plivoSignatureV3(
  authToken: string,
  url: string,
  body: URLSearchParams,
  nonce: string,
): string {
  const u = new URL(url);
  const query = sortedPairs(u.searchParams)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const posted = sortedPairs(body);
  let data = withoutQuery(u);
  if (query || posted.length) data += `?${query}`;
  if (query && posted.length) data += '.';
  data += posted.map(([k, v]) => k + v).join('');
  return hmac(authToken, `${data}.${nonce}`);
}

export function plivoSignatureV2(authToken: string, url: string, nonce: string): string {
  return hmac(authToken, withoutQuery(new URL(url)) + nonce);
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Whether the request is signed with this auth token (V3 when it carries V3, else V2). */
export function verifyPlivoSignature(
  authToken: string,
  request: Pick<ReceiptRequest, 'url' | 'header'>,
  body: URLSearchParams,
): boolean {
  const given = (...names: string[]) =>
    names.flatMap((n) => request.header(n)?.split(',') ?? []).map((s) => s.trim());
  const v3Nonce = request.header('x-plivo-signature-v3-nonce');
  const v3 = given('x-plivo-signature-v3', 'x-plivo-signature-ma-v3');
  if (v3Nonce && v3.length) {
    const expected = plivoSignatureV3(authToken, request.url, body, v3Nonce);
    return v3.some((s) => same(s, expected));
  }
  const v2Nonce = request.header('x-plivo-signature-v2-nonce');
  const v2 = given('x-plivo-signature-v2', 'x-plivo-signature-ma-v2');
  if (!v2Nonce || !v2.length) return false;
  const expected = plivoSignatureV2(authToken, request.url, v2Nonce);
  return v2.some((s) => same(s, expected));
}

/** Final statuses become receipts; the others (queued, sent) are acknowledged only. */
export function parsePlivoStatus(provider: string, params: URLSearchParams): Receipt | null {
  const uuid = params.get('MessageUUID');
  const status = params.get('Status');
  if (!uuid || !status) return null;
  const base = { provider, deliveryId: null, providerMessageId: uuid, suppress: false, occurredAt: null };
  const detail = Object.fromEntries(params.entries());
  if (status === 'delivered') return { ...base, event: 'delivered', reason: null, detail };
  if (status === 'undelivered' || status === 'failed' || status === 'rejected') {
    // 000 is Plivo's code for no error.
    const code = params.get('ErrorCode');
    const reason = `plivo_${status}${code && code !== '000' ? `_${code}` : ''}`;
    return { ...base, event: 'failed', reason, detail };
  }
  return null;
}

/** Plivo's message uuids. Nothing else is looked up. */
const MESSAGE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The receipt endpoint of one Plivo entry. A callback signed with the entry's token is the operator's;
 * otherwise it may come from a service's own Plivo account, tried only for the services holding a
 * delivery under its `MessageUUID`, and may then change that service's deliveries only.
 */
export function plivoReceipts(
  entry: { name: string; authToken: string },
  context: Pick<ReceiptContext, 'ownCredentials'>,
): ReceiptEndpoint {
  const ownTokens = async (uuid: string) =>
    (await context.ownCredentials?.(entry.name, uuid))?.flatMap(({ serviceId, type, credentials: c }) =>
      type === 'plivo' && typeof c['authToken'] === 'string'
        ? [{ serviceId, authToken: c['authToken'] }]
        : [],
    ) ?? [];
  return {
    async read(request) {
      const params = new URLSearchParams(request.raw);
      let serviceId: string | undefined;
      if (!verifyPlivoSignature(entry.authToken, request, params)) {
        const uuid = params.get('MessageUUID');
        const signed = request.header('x-plivo-signature-v3') ?? request.header('x-plivo-signature-v2');
        const candidates = signed && uuid && MESSAGE_UUID.test(uuid) ? await ownTokens(uuid) : [];
        serviceId = candidates.find((own) => verifyPlivoSignature(own.authToken, request, params))?.serviceId;
        if (!serviceId) throw unauthorized('The X-Plivo-Signature does not match.');
      }
      const r = parsePlivoStatus(entry.name, params);
      return r ? [serviceId ? { ...r, serviceId } : r] : [];
    },
  };
}
