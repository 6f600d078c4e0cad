/**
 * How old a signed receipt may be. A signature proves who sent a receipt, not when: without a limit,
 * a receipt captured once (from a log, a proxy, a misdirected request) could be played back for
 * ever, to bounce or suppress again. Each window covers the provider's own retries:
 * - SNS keeps a message's `Timestamp` across its retries, and an HTTP delivery policy may retry for
 *   at most an hour (AWS's limit on the total retry time), so an hour;
 * - SendGrid signs each POST, retries included, with the time it was sent, so ten minutes leave room
 *   for clock drift and queueing.
 * A receipt from the future beyond the same skew is refused too.
 */
export const SNS_RECEIPT_MAX_AGE_MS = 60 * 60 * 1000;
export const SENDGRID_RECEIPT_MAX_AGE_MS = 10 * 60 * 1000;
export const RECEIPT_MAX_SKEW_MS = 5 * 60 * 1000;

/** Null when a receipt signed at `signedAtMs` may be accepted at `nowMs`; otherwise why not. */
export function receiptAgeProblem(signedAtMs: number, nowMs: number, maxAgeMs: number): string | null {
  if (!Number.isFinite(signedAtMs)) return 'its timestamp is not a time';
  if (signedAtMs > nowMs + RECEIPT_MAX_SKEW_MS) return 'its timestamp is in the future';
  if (nowMs - signedAtMs > maxAgeMs)
    return `it was signed more than ${Math.round(maxAgeMs / 60_000)} minutes ago; replayed receipts are refused`;
  return null;
}
