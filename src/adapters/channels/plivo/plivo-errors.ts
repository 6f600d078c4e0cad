/**
 * Plivo API errors: `{ "api_id": "…", "error": "invalid dst" }` with 400, 401 (wrong Auth ID or
 * token), 404 (unknown account or resource), 429 (too many requests) or 5xx. The error is free text,
 * so only the parameter it names is read: a bad `dst` is the address's fault, a bad `src` the sender's.
 */
import type { SendFailure } from '../../../domain/retry-policy.ts';
import { classifyKnownOrStatus, parseJson } from '../http/undici-http.ts';

/** What a 400's error text says is wrong, by the parameter it names. */
const BAD_PARAMETER: readonly [RegExp, { kind: SendFailure['kind']; code: string }][] = [
  [/\bdst\b/i, { kind: 'permanent', code: 'invalid_address' }],
  [/\b(src|powerpack)/i, { kind: 'permanent', code: 'invalid_sender' }],
  [/\btext\b/i, { kind: 'permanent', code: 'invalid_message' }],
];

export function classifyPlivoError(
  status: number,
  text: string,
  headers: Record<string, string | undefined> = {},
): SendFailure {
  const body = parseJson(text) as { error?: unknown; api_id?: string } | undefined;
  const error = typeof body?.error === 'string' ? body.error : text.slice(0, 300);
  const message = `Plivo ${status}: ${error}`;
  const known = status === 400 ? BAD_PARAMETER.find(([re]) => re.test(error))?.[1] : undefined;
  return classifyKnownOrStatus(known, status, 'plivo', message, headers['retry-after']);
}
