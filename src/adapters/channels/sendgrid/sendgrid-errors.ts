/**
 * SendGrid v3 answers: 202 accepted; 400 a bad request (bad address, bad body) that will never pass;
 * 401/403 a key or sender-identity problem the operator must fix; 413 too large; 429 with
 * `Retry-After` or `X-RateLimit-Reset` (epoch seconds); 5xx SendGrid's own trouble.
 * Body: `{ "errors": [{ "message", "field", "help" }] }`.
 */
import type { SendFailure } from '../../../domain/retry-policy.ts';
import { classifyHttpStatus, parseJson, parseRetryAfter } from '../http/undici-http.ts';

interface SendGridErrorBody {
  errors?: { message?: string; field?: string | null }[];
}

export function sendGridErrorMessage(text: string): string {
  const body = parseJson(text) as SendGridErrorBody | undefined;
  const parts = (body?.errors ?? []).map((e) =>
    e.field ? `${e.field}: ${e.message ?? ''}` : (e.message ?? ''),
  );
  return parts.length ? parts.join('; ') : text.slice(0, 500);
}

export function classifySendGridError(
  status: number,
  text: string,
  headers: Record<string, string | undefined> = {},
  now: number = Date.now(),
): SendFailure {
  const message = `SendGrid ${status}: ${sendGridErrorMessage(text)}`;
  if (status === 429) {
    let ms = parseRetryAfter(headers['retry-after'], now);
    const reset = headers['x-ratelimit-reset'];
    if (ms === undefined && reset && /^\d+$/.test(reset)) ms = Math.max(0, Number(reset) * 1000 - now);
    return {
      kind: 'rate_limited',
      code: 'rate_limited',
      message,
      ...(ms !== undefined ? { retryAfterMs: ms } : {}),
    };
  }
  if (status === 400) {
    const fields = ((parseJson(text) as SendGridErrorBody | undefined)?.errors ?? []).map(
      (e) => e.field ?? '',
    );
    const badAddress = fields.some((f) => /^personalizations\.\d+\.to/.test(f));
    return { kind: 'permanent', code: badAddress ? 'invalid_address' : 'invalid_request', message };
  }
  if (status === 413) return { kind: 'permanent', code: 'payload_too_large', message };
  return classifyHttpStatus(status, 'sendgrid', message, headers['retry-after']);
}
