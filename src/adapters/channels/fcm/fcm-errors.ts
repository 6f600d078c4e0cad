/**
 * FCM HTTP v1 errors: `{ "error": { "code", "message", "status", "details": [{ "@type":
 * "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED" }] } }`.
 * The FcmError code decides when present, else the canonical `status`, else the HTTP status.
 */
import type { SendFailure } from '../../../domain/retry-policy.ts';
import { classifyKnownOrStatus, parseJson } from '../http/undici-http.ts';

export const FCM_ERRORS: Readonly<Record<string, { kind: SendFailure['kind']; code: string }>> = {
  // The app was uninstalled or the token expired: the token will never work again.
  UNREGISTERED: { kind: 'permanent', code: 'token_unregistered' },
  // The token belongs to another Firebase project.
  SENDER_ID_MISMATCH: { kind: 'permanent', code: 'token_invalid' },
  INVALID_ARGUMENT: { kind: 'permanent', code: 'invalid_request' },
  QUOTA_EXCEEDED: { kind: 'rate_limited', code: 'rate_limited' },
  UNAVAILABLE: { kind: 'transient', code: 'fcm_unavailable' },
  INTERNAL: { kind: 'transient', code: 'fcm_internal_error' },
  // APNs certificate or web push key missing/invalid in the Firebase project: an operator fixes it.
  THIRD_PARTY_AUTH_ERROR: { kind: 'transient', code: 'third_party_auth_error' },
  UNSPECIFIED_ERROR: { kind: 'transient', code: 'fcm_unspecified_error' },
  // Canonical statuses without an FcmError detail.
  UNAUTHENTICATED: { kind: 'transient', code: 'auth_failed' },
  PERMISSION_DENIED: { kind: 'transient', code: 'auth_failed' },
  NOT_FOUND: { kind: 'permanent', code: 'token_unregistered' },
  RESOURCE_EXHAUSTED: { kind: 'rate_limited', code: 'rate_limited' },
};

interface FcmErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: { '@type'?: string; errorCode?: string }[];
  };
}

export function fcmErrorCode(text: string): string | undefined {
  const e = (parseJson(text) as FcmErrorBody | undefined)?.error;
  const detail = e?.details?.find((d) => d['@type']?.endsWith('google.firebase.fcm.v1.FcmError'))?.errorCode;
  return detail ?? e?.status;
}

export function classifyFcmError(
  status: number,
  text: string,
  headers: Record<string, string | undefined> = {},
): SendFailure {
  const code = fcmErrorCode(text);
  const e = (parseJson(text) as FcmErrorBody | undefined)?.error;
  const message = `FCM ${status} ${code ?? ''}: ${e?.message ?? text.slice(0, 300)}`;
  const known = code ? FCM_ERRORS[code] : undefined;
  return classifyKnownOrStatus(known, status, 'fcm', message, headers['retry-after']);
}
