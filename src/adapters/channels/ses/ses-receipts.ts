/**
 * SES events arrive through Amazon SNS. Authenticity: the SNS message signature (SignatureVersion 1:
 * SHA1withRSA, 2: SHA256withRSA) over the canonical string of the message's fields, checked with the
 * certificate at `SigningCertURL` — fetched only from hosts matching the allow-list pattern, since an
 * attacker controls that URL.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { malformed, unauthorized } from '../../../domain/errors.ts';
import { receiptAgeProblem, SNS_RECEIPT_MAX_AGE_MS } from '../../../domain/receipt-age.ts';
import type { ReceiptEndpoint } from '../../../ports/receipt-endpoint.ts';
import type { Receipt } from '../../../ports/receipts.ts';
import type { ReceiptContext } from '../provider.ts';
import { parseJsonBody } from '../receipt-body.ts';

export interface SnsMessage {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
}

export function isSnsMessage(v: unknown): v is SnsMessage {
  const m = v as Partial<SnsMessage> | null;
  return (
    !!m &&
    typeof m.Type === 'string' &&
    typeof m.MessageId === 'string' &&
    typeof m.TopicArn === 'string' &&
    typeof m.Message === 'string' &&
    typeof m.Timestamp === 'string' &&
    (m.SignatureVersion === '1' || m.SignatureVersion === '2') &&
    typeof m.Signature === 'string' &&
    typeof m.SigningCertURL === 'string'
  );
}

/** The string SNS signs: selected fields as "Name\nvalue\n", in this order, absent ones skipped. */
export function snsStringToSign(m: SnsMessage): string {
  const fields =
    m.Type === 'Notification'
      ? (['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  let s = '';
  for (const f of fields) {
    const v = m[f];
    if (v !== undefined) s += `${f}\n${v}\n`;
  }
  return s;
}

export function createSnsVerifier(o: {
  certUrlPattern: string;
  fetchText?: (url: string) => Promise<string>;
}) {
  const pattern = new RegExp(o.certUrlPattern);
  const certs = new Map<string, Promise<KeyObject>>();
  const fetchText =
    o.fetchText ??
    (async (url: string) => {
      const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`certificate fetch answered ${res.status}`);
      return res.text();
    });
  return {
    allowedUrl: (url: string) => pattern.test(url),
    async verify(m: SnsMessage): Promise<boolean> {
      if (!pattern.test(m.SigningCertURL)) return false;
      let key = certs.get(m.SigningCertURL);
      if (!key) {
        key = fetchText(m.SigningCertURL).then((pem) => createPublicKey(pem));
        certs.set(m.SigningCertURL, key);
        key.catch(() => certs.delete(m.SigningCertURL));
      }
      try {
        const algorithm = m.SignatureVersion === '2' ? 'sha256' : 'sha1';
        return verify(
          algorithm,
          Buffer.from(snsStringToSign(m), 'utf8'),
          await key,
          Buffer.from(m.Signature, 'base64'),
        );
      } catch {
        return false;
      }
    },
  };
}

interface SesEvent {
  eventType?: string;
  notificationType?: string;
  mail?: { messageId?: string; timestamp?: string; tags?: Record<string, string[]> };
  bounce?: { bounceType?: string; bounceSubType?: string; timestamp?: string };
  complaint?: { complaintFeedbackType?: string; timestamp?: string };
  delivery?: { timestamp?: string };
  reject?: { reason?: string };
}

/** An SES event (event publishing `eventType`, or identity notifications `notificationType`). */
export function parseSesEvent(provider: string, message: string): Receipt | null {
  let e: SesEvent;
  try {
    e = JSON.parse(message) as SesEvent;
  } catch {
    return null;
  }
  const kind = e.eventType ?? e.notificationType;
  const base = {
    provider,
    deliveryId: e.mail?.tags?.delivery_id?.[0] ?? null,
    providerMessageId: e.mail?.messageId ?? null,
    detail: e as Record<string, unknown>,
  };
  const at = (s: string | undefined) => (s ? new Date(s) : null);
  switch (kind) {
    case 'Delivery':
      return {
        ...base,
        event: 'delivered',
        reason: null,
        suppress: false,
        occurredAt: at(e.delivery?.timestamp),
      };
    case 'Bounce': {
      const hard = e.bounce?.bounceType === 'Permanent';
      return {
        ...base,
        event: hard ? 'bounced' : 'soft_bounce',
        reason: `ses_bounce_${(e.bounce?.bounceType ?? 'unknown').toLowerCase()}_${(e.bounce?.bounceSubType ?? '').toLowerCase()}`,
        suppress: hard,
        occurredAt: at(e.bounce?.timestamp),
      };
    }
    case 'Complaint':
      return {
        ...base,
        event: 'complained',
        reason: `ses_complaint${e.complaint?.complaintFeedbackType ? `_${e.complaint.complaintFeedbackType}` : ''}`,
        suppress: true,
        occurredAt: at(e.complaint?.timestamp),
      };
    case 'Reject':
      return {
        ...base,
        event: 'failed',
        reason: `ses_reject: ${e.reject?.reason ?? ''}`,
        suppress: false,
        occurredAt: null,
      };
    default:
      return null;
  }
}

/**
 * The receipt endpoint of one SES entry. Only the SNS topics listed in the entry are heard; none
 * listed, none are (any AWS account can sign SNS messages). Subscription confirmations from a listed
 * topic are confirmed by fetching their SubscribeURL.
 */
export function sesReceipts(
  entry: { name: string; snsTopicArns?: readonly string[] | undefined },
  context: Pick<ReceiptContext, 'snsCertUrlPattern' | 'now'>,
): ReceiptEndpoint {
  const sns = createSnsVerifier({ certUrlPattern: context.snsCertUrlPattern });
  const topicArns = entry.snsTopicArns ?? [];
  return {
    async read({ raw }) {
      const m = parseJsonBody(raw);
      if (!isSnsMessage(m)) throw malformed('The body is not an SNS message.');
      if (!(await sns.verify(m))) throw unauthorized('The SNS message signature does not verify.');
      if (!topicArns.includes(m.TopicArn))
        throw unauthorized(
          `Topic ${m.TopicArn} is not in this provider's snsTopicArns; Herald hears only the topics listed there.`,
        );
      const problem = receiptAgeProblem(Date.parse(m.Timestamp), context.now(), SNS_RECEIPT_MAX_AGE_MS);
      if (problem) throw unauthorized(`The receipt is refused: ${problem}.`);
      if (m.Type === 'SubscriptionConfirmation') {
        if (!m.SubscribeURL || !sns.allowedUrl(m.SubscribeURL))
          throw malformed('SubscribeURL is not an SNS URL.');
        await (await fetch(m.SubscribeURL, { redirect: 'error' })).text();
        return [];
      }
      if (m.Type !== 'Notification') return [];
      const r = parseSesEvent(entry.name, m.Message);
      return r ? [r] : [];
    },
  };
}
