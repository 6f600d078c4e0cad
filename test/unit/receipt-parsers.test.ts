/** Receipt signatures and parsers against published examples and the providers' documented shapes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { twilioSignature, parseTwilioStatus } from '../../src/adapters/channels/twilio/twilio-receipts.ts';
import { parseSendGridEvents } from '../../src/adapters/channels/sendgrid/sendgrid-receipts.ts';
import {
  parseSesEvent,
  snsStringToSign,
  type SnsMessage,
} from '../../src/adapters/channels/ses/ses-receipts.ts';

describe('Twilio request validation', () => {
  it("matches the signatures in Twilio's documentation and helper-library tests", () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = (caller: string) =>
      new URLSearchParams({
        CallSid: 'CA1234567890ABCDE',
        Caller: caller,
        Digits: '1234',
        From: caller,
        To: '+18005551212',
      });
    assert.equal(twilioSignature('12345', url, params('+14158675309')), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    assert.equal(twilioSignature('12345', url, params('+12349013030')), '0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });
  it('turns final statuses into receipts and acknowledges the rest', () => {
    const p = (status: string, extra: Record<string, string> = {}) =>
      parseTwilioStatus('tw', new URLSearchParams({ MessageSid: 'SM1', MessageStatus: status, ...extra }));
    assert.equal(p('delivered')?.event, 'delivered');
    assert.deepEqual(
      [p('undelivered', { ErrorCode: '30003' })?.event, p('undelivered', { ErrorCode: '30003' })?.reason],
      ['failed', 'twilio_undelivered_30003'],
    );
    assert.equal(p('sent'), null);
  });
});

describe('SendGrid events', () => {
  it('suppresses hard bounces and spam reports, not blocks', () => {
    const r = parseSendGridEvents('sg', [
      { event: 'bounce', type: 'bounce', delivery_id: 'd1', sg_message_id: 'abc.filter1', timestamp: 1 },
      { event: 'bounce', type: 'blocked', delivery_id: 'd2' },
      { event: 'spamreport', delivery_id: 'd3' },
      { event: 'deferred', delivery_id: 'd4' },
    ]);
    assert.deepEqual(
      r.map((x) => [x.deliveryId, x.event, x.suppress]),
      [
        ['d1', 'bounced', true],
        ['d2', 'soft_bounce', false],
        ['d3', 'complained', true],
      ],
    );
    assert.equal(r[0]?.providerMessageId, 'abc');
  });
});

describe('SNS and SES', () => {
  it('builds the string to sign in the documented field order, skipping absent Subject', () => {
    const m = {
      Type: 'Notification',
      MessageId: 'id',
      TopicArn: 'arn:t',
      Message: 'hello',
      Timestamp: '2026-01-01T00:00:00.000Z',
      SignatureVersion: '1',
      Signature: '',
      SigningCertURL: '',
    } as SnsMessage;
    assert.equal(
      snsStringToSign(m),
      'Message\nhello\nMessageId\nid\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\narn:t\nType\nNotification\n',
    );
  });
  it('reads event publishing and notification shapes; soft bounces do not suppress', () => {
    const hard = parseSesEvent(
      'ses',
      JSON.stringify({
        notificationType: 'Bounce',
        mail: { messageId: 'm1' },
        bounce: { bounceType: 'Permanent', bounceSubType: 'General' },
      }),
    );
    assert.deepEqual([hard?.event, hard?.suppress, hard?.providerMessageId], ['bounced', true, 'm1']);
    const soft = parseSesEvent(
      'ses',
      JSON.stringify({
        eventType: 'Bounce',
        mail: { tags: { delivery_id: ['d'] } },
        bounce: { bounceType: 'Transient' },
      }),
    );
    assert.deepEqual([soft?.event, soft?.suppress, soft?.deliveryId], ['soft_bounce', false, 'd']);
    assert.equal(parseSesEvent('ses', JSON.stringify({ eventType: 'Open' })), null);
  });
});
