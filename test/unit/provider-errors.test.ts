/** The classification tables: each provider's real error codes → permanent / transient / rate_limited. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyHttpStatus, parseRetryAfter } from '../../src/adapters/channels/http/undici-http.ts';
import { classifySendGridError } from '../../src/adapters/channels/sendgrid/sendgrid-errors.ts';
import { classifySesError, sesErrorType } from '../../src/adapters/channels/ses/ses-errors.ts';
import { classifyTwilioError } from '../../src/adapters/channels/twilio/twilio-errors.ts';
import { classifyVonageStatus } from '../../src/adapters/channels/vonage/vonage-errors.ts';
import { classifyPlivoError } from '../../src/adapters/channels/plivo/plivo-errors.ts';
import { classifyFcmError } from '../../src/adapters/channels/fcm/fcm-errors.ts';
import { classifyApnsError } from '../../src/adapters/channels/apns/apns-errors.ts';
import { classifyWebPushError } from '../../src/adapters/channels/webpush/webpush-errors.ts';
import { classifySlackError } from '../../src/adapters/channels/slack/slack-sender.ts';
import { classifySmtpError } from '../../src/adapters/channels/smtp/smtp-sender.ts';
import { addressIsGone } from '../../src/domain/address-errors.ts';

const pick = (f: { kind: string; code: string; retryAfterMs?: number }) => ({
  kind: f.kind,
  code: f.code,
  ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
});

describe('SMTP replies', () => {
  const reply = (responseCode: number, response: string, command = 'RCPT TO') =>
    pick(
      classifySmtpError(
        Object.assign(new Error(response), { code: 'EENVELOPE', command, responseCode, response }),
      ),
    );

  it('reads a 5.1.x refusal as a wrong address, and other 5xx as a refusal of the message', () => {
    assert.deepEqual(reply(550, '550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown'), {
      kind: 'permanent',
      code: 'invalid_address',
    });
    assert.deepEqual(reply(550, '550 5.1.2 Host unknown'), { kind: 'permanent', code: 'invalid_address' });
    assert.deepEqual(reply(553, '553 5.1.3 Bad recipient address syntax'), {
      kind: 'permanent',
      code: 'invalid_address',
    });
    assert.deepEqual(reply(550, '550 5.7.1 Message rejected as spam', 'DATA'), {
      kind: 'permanent',
      code: 'smtp_550',
    });
    assert.deepEqual(reply(554, '554 Transaction failed'), { kind: 'permanent', code: 'smtp_554' });
  });

  it("reads a refusal of Herald's own sender address as a refusal, not as the recipient's wrong address", () => {
    // X.1.7 and X.1.8 are about the sender (RFC 3463), and a MAIL FROM refusal is about the sender
    // whatever its code: the recipient's address was never looked at.
    assert.deepEqual(
      reply(553, '553 5.1.8 <noreply@acme.example>: Sender address rejected: Domain not found', 'MAIL FROM'),
      {
        kind: 'permanent',
        code: 'smtp_553',
      },
    );
    assert.deepEqual(reply(550, '550 5.1.0 Sender rejected', 'MAIL FROM'), {
      kind: 'permanent',
      code: 'smtp_550',
    });
    assert.deepEqual(reply(553, '553 5.1.7 Bad sender address syntax'), {
      kind: 'permanent',
      code: 'smtp_553',
    });
  });

  it('keeps a temporary refusal temporary, whatever its enhanced code says', () => {
    assert.deepEqual(reply(450, '450 4.1.1 Recipient address verification in progress'), {
      kind: 'transient',
      code: 'smtp_450',
    });
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, and ignores junk', () => {
    assert.equal(parseRetryAfter('30'), 30_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now), 60_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('falls back on HTTP status meaning', () => {
    assert.deepEqual(pick(classifyHttpStatus(429, 'x', '', '5')), {
      kind: 'rate_limited',
      code: 'rate_limited',
      retryAfterMs: 5000,
    });
    assert.equal(classifyHttpStatus(503, 'x', '', undefined).kind, 'transient');
    assert.equal(classifyHttpStatus(422, 'x', '', undefined).kind, 'permanent');
    assert.deepEqual(pick(classifyHttpStatus(401, 'x', '', undefined)), {
      kind: 'transient',
      code: 'auth_failed',
    });
  });
});

describe('SendGrid', () => {
  const body = (field: string) => JSON.stringify({ errors: [{ message: 'bad', field }] });
  it('maps 400 on a recipient to invalid_address, other 400s to invalid_request', () => {
    assert.deepEqual(pick(classifySendGridError(400, body('personalizations.0.to.0.email'))), {
      kind: 'permanent',
      code: 'invalid_address',
    });
    assert.deepEqual(pick(classifySendGridError(400, body('subject'))), {
      kind: 'permanent',
      code: 'invalid_request',
    });
  });
  it('uses X-RateLimit-Reset when there is no Retry-After', () => {
    const now = 1_700_000_000_000;
    const f = classifySendGridError(429, '', { 'x-ratelimit-reset': String(now / 1000 + 42) }, now);
    assert.deepEqual(pick(f), { kind: 'rate_limited', code: 'rate_limited', retryAfterMs: 42_000 });
  });
});

describe('SES', () => {
  it('reads the error type from the header or the body', () => {
    assert.equal(
      sesErrorType('{}', { 'x-amzn-errortype': 'MessageRejected:http://internal.amazon.com/' }),
      'MessageRejected',
    );
    assert.equal(
      sesErrorType('{"__type":"com.amazonaws.sesv2#TooManyRequestsException"}', {}),
      'TooManyRequestsException',
    );
  });
  it('classifies by type', () => {
    const t = (type: string, status = 400) =>
      pick(classifySesError(status, JSON.stringify({ __type: type, message: 'm' })));
    assert.deepEqual(t('MessageRejected'), { kind: 'permanent', code: 'message_rejected' });
    assert.deepEqual(t('AccountSuspendedException'), { kind: 'transient', code: 'account_suspended' });
    assert.deepEqual(t('LimitExceededException'), { kind: 'rate_limited', code: 'quota_exceeded' });
    assert.deepEqual(t('SomethingNew', 502), { kind: 'transient', code: 'ses_http_502' });
  });
});

describe('Twilio', () => {
  const t = (code: number, status = 400) =>
    pick(classifyTwilioError(status, JSON.stringify({ code, message: 'm', status })));
  it('decides by the numeric error code', () => {
    assert.deepEqual(t(21211), { kind: 'permanent', code: 'invalid_address' });
    assert.deepEqual(t(21610), { kind: 'permanent', code: 'recipient_unsubscribed' });
    assert.deepEqual(t(20003, 401), { kind: 'transient', code: 'auth_failed' });
    assert.deepEqual(t(20429, 429), { kind: 'rate_limited', code: 'rate_limited' });
    assert.deepEqual(t(99999, 503), { kind: 'transient', code: 'twilio_http_503' });
  });
});

describe('Vonage', () => {
  it('maps per-message statuses', () => {
    assert.deepEqual(pick(classifyVonageStatus('1', 'Throttled')), {
      kind: 'rate_limited',
      code: 'rate_limited',
    });
    assert.deepEqual(pick(classifyVonageStatus('3', 'Invalid')), {
      kind: 'permanent',
      code: 'invalid_address',
    });
    assert.deepEqual(pick(classifyVonageStatus('6', 'Unroutable')), {
      kind: 'permanent',
      code: 'invalid_address',
    });
    assert.deepEqual(pick(classifyVonageStatus('9', 'Quota')), { kind: 'transient', code: 'quota_exceeded' });
    assert.equal(classifyVonageStatus('99', 'new').kind, 'transient');
  });
});

describe('Plivo', () => {
  const err = (error: string) => JSON.stringify({ api_id: 'a1', error });
  it('reads a 400 by the parameter its error names', () => {
    assert.deepEqual(pick(classifyPlivoError(400, err('invalid dst'))), {
      kind: 'permanent',
      code: 'invalid_address',
    });
    assert.deepEqual(pick(classifyPlivoError(400, err('src parameter is invalid'))), {
      kind: 'permanent',
      code: 'invalid_sender',
    });
    assert.deepEqual(pick(classifyPlivoError(400, err('text parameter not present'))), {
      kind: 'permanent',
      code: 'invalid_message',
    });
    assert.deepEqual(pick(classifyPlivoError(400, err('message could not be queued'))), {
      kind: 'permanent',
      code: 'plivo_http_400',
    });
  });
  it('falls back on the HTTP status, with Retry-After', () => {
    assert.deepEqual(pick(classifyPlivoError(401, err('invalid dst'))), {
      kind: 'transient',
      code: 'auth_failed',
    });
    assert.deepEqual(pick(classifyPlivoError(429, err('too many'), { 'retry-after': '7' })), {
      kind: 'rate_limited',
      code: 'rate_limited',
      retryAfterMs: 7000,
    });
    assert.deepEqual(pick(classifyPlivoError(502, '<html>bad gateway</html>')), {
      kind: 'transient',
      code: 'plivo_http_502',
    });
  });
});

describe('FCM', () => {
  const fcm = (status: number, canonical: string, errorCode?: string) =>
    JSON.stringify({
      error: {
        code: status,
        status: canonical,
        message: 'm',
        details: errorCode
          ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }]
          : [],
      },
    });
  it('prefers the FcmError code, then the canonical status', () => {
    assert.deepEqual(pick(classifyFcmError(404, fcm(404, 'NOT_FOUND', 'UNREGISTERED'))), {
      kind: 'permanent',
      code: 'token_unregistered',
    });
    assert.deepEqual(pick(classifyFcmError(400, fcm(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT'))), {
      kind: 'permanent',
      code: 'invalid_request',
    });
    assert.deepEqual(pick(classifyFcmError(429, fcm(429, 'RESOURCE_EXHAUSTED'), { 'retry-after': '10' })), {
      kind: 'rate_limited',
      code: 'rate_limited',
      retryAfterMs: 10_000,
    });
    assert.deepEqual(
      pick(classifyFcmError(503, fcm(503, 'UNAVAILABLE', 'UNAVAILABLE'), { 'retry-after': '3' })),
      {
        kind: 'transient',
        code: 'fcm_unavailable',
        retryAfterMs: 3000,
      },
    );
  });
});

describe('APNs', () => {
  it('maps reasons; token reasons are address-gone codes', () => {
    const a = (status: number, reason: string) => pick(classifyApnsError(status, JSON.stringify({ reason })));
    assert.deepEqual(a(410, 'Unregistered'), { kind: 'permanent', code: 'token_unregistered' });
    assert.deepEqual(a(400, 'BadDeviceToken'), { kind: 'permanent', code: 'token_invalid' });
    assert.deepEqual(a(403, 'ExpiredProviderToken'), { kind: 'transient', code: 'provider_token_expired' });
    assert.deepEqual(a(429, 'TooManyProviderTokenUpdates'), { kind: 'rate_limited', code: 'rate_limited' });
    assert.deepEqual(a(503, 'Shutdown'), { kind: 'transient', code: 'apns_shutdown' });
    assert.ok(addressIsGone(a(410, 'Unregistered').code) && addressIsGone(a(400, 'BadDeviceToken').code));
    assert.ok(!addressIsGone(a(400, 'BadTopic').code));
  });
});

describe('web push and Slack', () => {
  it('treats 404 and 410 as a gone subscription', () => {
    assert.equal(classifyWebPushError(410, '').code, 'subscription_gone');
    assert.equal(classifyWebPushError(404, '').code, 'subscription_gone');
    assert.equal(classifyWebPushError(413, '').code, 'payload_too_large');
    assert.equal(classifyWebPushError(500, '').kind, 'transient');
  });
  it('reads Slack reasons from the body', () => {
    assert.deepEqual(pick(classifySlackError(404, 'no_service')), {
      kind: 'permanent',
      code: 'subscription_gone',
    });
    assert.deepEqual(pick(classifySlackError(410, 'channel_is_archived')), {
      kind: 'permanent',
      code: 'invalid_address',
    });
    assert.deepEqual(pick(classifySlackError(429, 'rate_limited', { 'retry-after': '30' })), {
      kind: 'rate_limited',
      code: 'rate_limited',
      retryAfterMs: 30_000,
    });
  });
});

describe('web push endpoint allow-list', () => {
  it("admits the browsers' push services and nothing else by default", async () => {
    const { PUSH_SERVICES } = await import('../../src/adapters/channels/webpush/webpush-sender.ts');
    const re = new RegExp(PUSH_SERVICES);
    for (const ok of [
      'https://fcm.googleapis.com/fcm/send/abc',
      'https://updates.push.services.mozilla.com/wpush/v2/abc',
      'https://wns2-by3p.notify.windows.com/w/?token=abc',
      'https://web.push.apple.com/QGuQ',
    ])
      assert.ok(re.test(ok), ok);
    for (const bad of [
      'http://fcm.googleapis.com/x',
      'https://169.254.169.254/latest',
      'https://fcm.googleapis.com.evil.test/x',
    ])
      assert.ok(!re.test(bad), bad);
  });
});
