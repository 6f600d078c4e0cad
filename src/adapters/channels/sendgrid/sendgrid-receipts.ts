/**
 * SendGrid Event Webhook. Authenticity: ECDSA (P-256, SHA-256) over the timestamp header followed by
 * the raw body, signature in `X-Twilio-Email-Event-Webhook-Signature` (base64 DER), verified with the
 * account's verification key (base64 DER SubjectPublicKeyInfo).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { unauthorized } from '../../../domain/errors.ts';
import { receiptAgeProblem, SENDGRID_RECEIPT_MAX_AGE_MS } from '../../../domain/receipt-age.ts';
import type { ReceiptEndpoint } from '../../../ports/receipt-endpoint.ts';
import type { Receipt, ReceiptEvent } from '../../../ports/receipts.ts';
import type { ReceiptContext } from '../provider.ts';
import { parseJsonBody } from '../receipt-body.ts';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

export function sendGridKey(base64Der: string): KeyObject {
  return createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' });
}

export function verifySendGridSignature(
  key: KeyObject,
  rawBody: string,
  signature: string | undefined,
  timestamp: string | undefined,
): boolean {
  if (!signature || !timestamp) return false;
  try {
    return verify('sha256', Buffer.from(timestamp + rawBody, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

interface SendGridEvent {
  event?: string;
  type?: string;
  email?: string;
  timestamp?: number;
  sg_message_id?: string;
  delivery_id?: string;
  reason?: string;
  status?: string;
  bounce_classification?: string;
}

const EVENTS: Partial<Record<string, ReceiptEvent>> = {
  delivered: 'delivered',
  bounce: 'bounced',
  dropped: 'failed',
  spamreport: 'complained',
  open: 'opened',
  click: 'clicked',
};

export function parseSendGridEvents(provider: string, body: unknown): Receipt[] {
  if (!Array.isArray(body)) return [];
  const out: Receipt[] = [];
  for (const e of body as SendGridEvent[]) {
    let event = e.event ? EVENTS[e.event] : undefined;
    if (!event) continue;
    // `type: blocked` is a refusal by the receiving server (e.g. reputation), not a dead address.
    const blocked = e.event === 'bounce' && e.type === 'blocked';
    if (blocked) event = 'soft_bounce';
    out.push({
      provider,
      deliveryId: typeof e.delivery_id === 'string' ? e.delivery_id : null,
      // sg_message_id is the X-Message-Id followed by ".filter…".
      providerMessageId: e.sg_message_id?.split('.')[0] ?? null,
      event,
      reason:
        e.event === 'bounce' || e.event === 'dropped'
          ? `sendgrid_${e.event}${e.reason ? `: ${e.reason}` : ''}`.slice(0, 500)
          : null,
      suppress: (e.event === 'bounce' && !blocked) || e.event === 'spamreport',
      occurredAt: typeof e.timestamp === 'number' ? new Date(e.timestamp * 1000) : null,
      detail: e as Record<string, unknown>,
    });
  }
  return out;
}

/** The receipt endpoint of one SendGrid entry with a `webhookPublicKey`. */
export function sendGridReceipts(
  entry: { name: string; webhookPublicKey: string },
  context: Pick<ReceiptContext, 'now'>,
): ReceiptEndpoint {
  let key: KeyObject | undefined;
  return {
    async read({ header, raw }) {
      key ??= sendGridKey(entry.webhookPublicKey);
      const timestamp = header(SENDGRID_TIMESTAMP_HEADER);
      if (!verifySendGridSignature(key, raw, header(SENDGRID_SIGNATURE_HEADER), timestamp))
        throw unauthorized('The Event Webhook signature does not match.');
      // The timestamp is signed with the body, so it can be trusted once the signature holds.
      const ts = timestamp ?? '';
      const problem = receiptAgeProblem(
        /^\d{1,12}$/.test(ts) ? Number(ts) * 1000 : NaN,
        context.now(),
        SENDGRID_RECEIPT_MAX_AGE_MS,
      );
      if (problem) throw unauthorized(`The receipt is refused: ${problem}.`);
      return parseSendGridEvents(entry.name, parseJsonBody(raw));
    },
  };
}
