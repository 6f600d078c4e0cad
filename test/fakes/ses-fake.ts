/**
 * A local Amazon SES v2 `SendEmail` endpoint. It verifies AWS Signature Version 4 with its own small
 * implementation (node:crypto, following the AWS spec step by step), not with the library Herald
 * signs with, so a signing bug cannot hide behind the same bug in the check.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { header, startFakeHttp, type FakeHttp, type Recorded, type Reply } from './fake-http.ts';

const awsError = (
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  headers: {
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`,
    ...headers,
  },
  body: { message },
});

export const SES_SCENARIOS = {
  message_rejected: awsError(400, 'MessageRejected', 'Email address is not verified.'),
  sender_not_verified: awsError(400, 'MailFromDomainNotVerifiedException', 'MAIL FROM domain not verified'),
  configuration_not_found: awsError(404, 'NotFoundException', 'Configuration set does not exist.'),
  invalid_request: awsError(400, 'BadRequestException', 'Missing required field Destination'),
  sending_paused: awsError(400, 'SendingPausedException', 'Sending is paused for this account.'),
  internal: awsError(500, 'InternalFailure', 'Internal failure'),
  rate_limited: awsError(429, 'TooManyRequestsException', 'Too many requests', { 'retry-after': '120' }),
} satisfies Record<string, Reply>;

export type SesScenario = keyof typeof SES_SCENARIOS;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** The SigV4 check SES performs; returns why it fails, or null when the signature is right. */
export function verifySigV4(req: Recorded, secrets: Record<string, string>, now = Date.now()): string | null {
  const auth = header(req, 'authorization') ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return 'malformed Authorization header';
  const [, keyId, day, region, service, signedHeaders, signature] = m as unknown as string[];
  const secret = secrets[keyId!];
  if (!secret) return 'unknown access key';
  const amzDate = header(req, 'x-amz-date') ?? '';
  if (!amzDate.startsWith(day!)) return 'date mismatch';
  const at = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!(Math.abs(now - at) < 5 * 60_000)) return 'signature expired';
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return 'host and x-amz-date must be signed';
  const [path, query = ''] = req.path.split('?');
  const canonicalQuery = query.split('&').filter(Boolean).sort().join('&');
  const canonicalHeaders = names
    .map((n) => `${n}:${(header(req, n) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    req.method,
    path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    sha256(req.body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day!), region!), service!), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return expected === signature ? null : 'signature does not match';
}

export async function startSesFake(keys: Record<string, string>): Promise<FakeHttp<SesScenario>> {
  return startFakeHttp<SesScenario>({
    scenarios: SES_SCENARIOS,
    check(req) {
      if (req.method !== 'POST' || req.path !== '/v2/email/outbound-emails')
        return awsError(404, 'NotFoundException', 'Unknown operation');
      const problem = verifySigV4(req, keys);
      if (problem) return awsError(403, 'SignatureDoesNotMatch', problem);
      let body: any;
      try {
        body = JSON.parse(req.body);
      } catch {
        return SES_SCENARIOS.invalid_request;
      }
      if (
        !body?.FromEmailAddress ||
        !body?.Destination?.ToAddresses?.length ||
        !body?.Content?.Simple?.Subject
      )
        return SES_SCENARIOS.invalid_request;
      return null;
    },
    success: () => ({ status: 200, body: { MessageId: `0100${randomUUID().replace(/-/g, '')}-000000` } }),
  });
}
