/**
 * Amazon SES v2 errors (REST-JSON): the type comes in the `x-amzn-ErrorType` header (`Name:uri`) or
 * the body's `__type`/`code`, the text in `message`. The table says what each means for one message.
 */
import type { SendFailure } from '../../../domain/retry-policy.ts';
import { classifyKnownOrStatus, parseJson } from '../http/undici-http.ts';

/** Error type → what to do; codes the table does not name fall back to the HTTP status. */
export const SES_ERRORS: Readonly<Record<string, { kind: SendFailure['kind']; code: string }>> = {
  MessageRejected: { kind: 'permanent', code: 'message_rejected' },
  BadRequestException: { kind: 'permanent', code: 'invalid_request' },
  MailFromDomainNotVerifiedException: { kind: 'permanent', code: 'sender_not_verified' },
  NotFoundException: { kind: 'permanent', code: 'configuration_not_found' },
  // Account-wide holds: this message is fine, another provider (or later) may send it.
  AccountSuspendedException: { kind: 'transient', code: 'account_suspended' },
  SendingPausedException: { kind: 'transient', code: 'sending_paused' },
  TooManyRequestsException: { kind: 'rate_limited', code: 'rate_limited' },
  ThrottlingException: { kind: 'rate_limited', code: 'rate_limited' },
  // Daily quota or max send rate reached.
  LimitExceededException: { kind: 'rate_limited', code: 'quota_exceeded' },
  InternalFailure: { kind: 'transient', code: 'ses_internal_failure' },
  ServiceUnavailable: { kind: 'transient', code: 'ses_unavailable' },
  InvalidClientTokenId: { kind: 'transient', code: 'auth_failed' },
  SignatureDoesNotMatch: { kind: 'transient', code: 'auth_failed' },
  AccessDeniedException: { kind: 'transient', code: 'auth_failed' },
  UnrecognizedClientException: { kind: 'transient', code: 'auth_failed' },
};

export function sesErrorType(text: string, headers: Record<string, string | undefined>): string | undefined {
  const body = parseJson(text) as { __type?: string; code?: string; Code?: string } | undefined;
  const raw = headers['x-amzn-errortype'] ?? body?.__type ?? body?.code ?? body?.Code;
  // "MessageRejected:http://internal.amazon.com/..." or "com.amazonaws.ses#MessageRejected".
  return raw?.split(':')[0]?.split('#').at(-1);
}

export function classifySesError(
  status: number,
  text: string,
  headers: Record<string, string | undefined> = {},
): SendFailure {
  const type = sesErrorType(text, headers);
  const body = parseJson(text) as { message?: string; Message?: string } | undefined;
  const message = `SES ${status} ${type ?? ''}: ${body?.message ?? body?.Message ?? text.slice(0, 300)}`;
  const known = type ? SES_ERRORS[type] : undefined;
  return classifyKnownOrStatus(known, status, 'ses', message, headers['retry-after']);
}
