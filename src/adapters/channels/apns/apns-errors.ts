/**
 * APNs answers with an HTTP status and `{ "reason": "BadDeviceToken" }` (410 adds `timestamp`). The
 * reason decides. Token-level reasons carry the codes that make the engine deactivate the token.
 */
import type { SendFailure } from '../../../domain/retry-policy.ts';
import { classifyKnownOrStatus, parseJson } from '../http/undici-http.ts';

export const APNS_REASONS: Readonly<Record<string, { kind: SendFailure['kind']; code: string }>> = {
  BadDeviceToken: { kind: 'permanent', code: 'token_invalid' },
  DeviceTokenNotForTopic: { kind: 'permanent', code: 'token_invalid' },
  Unregistered: { kind: 'permanent', code: 'token_unregistered' },
  ExpiredToken: { kind: 'permanent', code: 'token_unregistered' },
  MissingDeviceToken: { kind: 'permanent', code: 'token_invalid' },
  BadCollapseId: { kind: 'permanent', code: 'invalid_request' },
  BadExpirationDate: { kind: 'permanent', code: 'invalid_request' },
  BadMessageId: { kind: 'permanent', code: 'invalid_request' },
  BadPriority: { kind: 'permanent', code: 'invalid_request' },
  BadTopic: { kind: 'permanent', code: 'invalid_request' },
  DuplicateHeaders: { kind: 'permanent', code: 'invalid_request' },
  InvalidPushType: { kind: 'permanent', code: 'invalid_request' },
  MissingTopic: { kind: 'permanent', code: 'invalid_request' },
  PayloadEmpty: { kind: 'permanent', code: 'invalid_request' },
  TopicDisallowed: { kind: 'permanent', code: 'invalid_request' },
  BadPath: { kind: 'permanent', code: 'invalid_request' },
  MethodNotAllowed: { kind: 'permanent', code: 'invalid_request' },
  PayloadTooLarge: { kind: 'permanent', code: 'payload_too_large' },
  // Provider-token and certificate problems: the operator's to fix; the next token may be fine.
  ExpiredProviderToken: { kind: 'transient', code: 'provider_token_expired' },
  InvalidProviderToken: { kind: 'transient', code: 'auth_failed' },
  MissingProviderToken: { kind: 'transient', code: 'auth_failed' },
  BadCertificate: { kind: 'transient', code: 'auth_failed' },
  BadCertificateEnvironment: { kind: 'transient', code: 'auth_failed' },
  Forbidden: { kind: 'transient', code: 'auth_failed' },
  TooManyProviderTokenUpdates: { kind: 'rate_limited', code: 'rate_limited' },
  TooManyRequests: { kind: 'rate_limited', code: 'rate_limited' },
  IdleTimeout: { kind: 'transient', code: 'apns_idle_timeout' },
  InternalServerError: { kind: 'transient', code: 'apns_internal_error' },
  ServiceUnavailable: { kind: 'transient', code: 'apns_unavailable' },
  Shutdown: { kind: 'transient', code: 'apns_shutdown' },
};

export function classifyApnsError(
  status: number,
  text: string,
  headers: Record<string, string | undefined> = {},
): SendFailure {
  const reason = (parseJson(text) as { reason?: string } | undefined)?.reason;
  const message = `APNs ${status} ${reason ?? text.slice(0, 200)}`;
  const known = reason ? APNS_REASONS[reason] : undefined;
  return classifyKnownOrStatus(known, status, 'apns', message, headers['retry-after']);
}
