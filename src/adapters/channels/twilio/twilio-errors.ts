/**
 * Twilio REST errors: `{ "code": 21211, "message", "more_info", "status": 400 }`. The numeric code
 * decides; the HTTP status only when the code is unknown. Codes from twilio.com/docs/api/errors.
 */
import type { SendFailure } from '../../../domain/retry-policy.ts';
import { classifyKnownOrStatus, parseJson } from '../http/undici-http.ts';

export const TWILIO_ERRORS: Readonly<Record<number, { kind: SendFailure['kind']; code: string }>> = {
  21211: { kind: 'permanent', code: 'invalid_address' }, // invalid 'To' phone number
  21214: { kind: 'permanent', code: 'invalid_address' }, // 'To' number cannot be reached
  21217: { kind: 'permanent', code: 'invalid_address' }, // phone number does not appear to be valid
  21407: { kind: 'permanent', code: 'unsupported_destination' }, // country not supported
  21408: { kind: 'permanent', code: 'unsupported_destination' }, // region not enabled for the account
  21610: { kind: 'permanent', code: 'recipient_unsubscribed' }, // recipient replied STOP
  21612: { kind: 'permanent', code: 'unsupported_destination' }, // 'To' not reachable from 'From'
  21614: { kind: 'permanent', code: 'invalid_address' }, // 'To' is not a mobile number
  21617: { kind: 'permanent', code: 'message_too_long' }, // body exceeds 1600 characters
  21602: { kind: 'permanent', code: 'invalid_message' }, // body required
  21606: { kind: 'permanent', code: 'invalid_sender' }, // 'From' is not a valid, SMS-capable number
  21660: { kind: 'permanent', code: 'invalid_sender' }, // 'From' not owned by the account
  20003: { kind: 'transient', code: 'auth_failed' }, // authentication failed: fix the credentials
  20404: { kind: 'permanent', code: 'not_found' },
  20429: { kind: 'rate_limited', code: 'rate_limited' }, // too many requests
  14107: { kind: 'rate_limited', code: 'rate_limited' }, // SMS send rate limit exceeded
  30001: { kind: 'rate_limited', code: 'queue_overflow' },
  20500: { kind: 'transient', code: 'twilio_internal_error' },
  20503: { kind: 'transient', code: 'twilio_unavailable' },
};

export function classifyTwilioError(
  status: number,
  text: string,
  headers: Record<string, string | undefined> = {},
): SendFailure {
  const body = parseJson(text) as { code?: number; message?: string } | undefined;
  const message = `Twilio ${status}${body?.code ? ` ${body.code}` : ''}: ${body?.message ?? text.slice(0, 300)}`;
  const known = body?.code !== undefined ? TWILIO_ERRORS[body.code] : undefined;
  return classifyKnownOrStatus(known, status, 'twilio', message, headers['retry-after']);
}
