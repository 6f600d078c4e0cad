/**
 * Vonage (Nexmo) SMS API answers 200 even when a message is refused: each message in `messages[]` has
 * its own `status` ("0" is success) and `error-text`. The table below is Vonage's documented list.
 */
import type { SendFailure } from '../../../domain/retry-policy.ts';

export const VONAGE_STATUSES: Readonly<Record<string, { kind: SendFailure['kind']; code: string }>> = {
  '1': { kind: 'rate_limited', code: 'rate_limited' }, // Throttled
  '2': { kind: 'permanent', code: 'invalid_request' }, // Missing Parameters
  '3': { kind: 'permanent', code: 'invalid_address' }, // Invalid Parameters
  '4': { kind: 'transient', code: 'auth_failed' }, // Invalid Credentials
  '5': { kind: 'transient', code: 'vonage_internal_error' }, // Internal Error
  '6': { kind: 'permanent', code: 'invalid_address' }, // Invalid Message (unroutable)
  '7': { kind: 'permanent', code: 'number_barred' }, // Number Barred
  '8': { kind: 'transient', code: 'account_barred' }, // Partner Account Barred
  '9': { kind: 'transient', code: 'quota_exceeded' }, // Partner Quota Violation (out of credit)
  '10': { kind: 'rate_limited', code: 'too_many_binds' }, // Too Many Existing Binds
  '11': { kind: 'transient', code: 'account_not_enabled' }, // Account Not Enabled For HTTP
  '12': { kind: 'permanent', code: 'message_too_long' }, // Message Too Long
  '14': { kind: 'transient', code: 'auth_failed' }, // Invalid Signature
  '15': { kind: 'permanent', code: 'invalid_sender' }, // Invalid Sender Address
  '22': { kind: 'permanent', code: 'invalid_address' }, // Invalid Network Code
  '23': { kind: 'permanent', code: 'invalid_request' }, // Invalid Callback Url
  '29': { kind: 'permanent', code: 'non_whitelisted_destination' }, // Non-Whitelisted Destination
  '32': { kind: 'transient', code: 'auth_failed' }, // Signature And API Secret Disallowed
  '33': { kind: 'permanent', code: 'invalid_address' }, // Number De-activated
};

export function classifyVonageStatus(status: string, errorText: string | undefined): SendFailure {
  const message = `Vonage status ${status}: ${errorText ?? 'no error text'}`;
  const known = VONAGE_STATUSES[status];
  if (known) return { ...known, message };
  return { kind: 'transient', code: `vonage_status_${status}`, message };
}
