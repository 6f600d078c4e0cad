/**
 * Push services (RFC 8030) answer 201 on acceptance. 404 and 410 mean the subscription is gone for good
 * (the browser unsubscribed or it expired): the engine removes it. 413 is a payload over 4 KB; 400 a
 * malformed request; 401/403 a VAPID problem; 429 honours Retry-After.
 */
import type { SendFailure } from '../../../domain/retry-policy.ts';
import { classifyHttpStatus } from '../http/undici-http.ts';

export function classifyWebPushError(
  status: number,
  text: string,
  headers: Record<string, string | undefined> = {},
): SendFailure {
  const message = `push service ${status}: ${text.slice(0, 300)}`;
  if (status === 404 || status === 410) return { kind: 'permanent', code: 'subscription_gone', message };
  if (status === 413) return { kind: 'permanent', code: 'payload_too_large', message };
  if (status === 400) return { kind: 'permanent', code: 'invalid_request', message };
  return classifyHttpStatus(status, 'webpush', message, headers['retry-after']);
}
