/** Receipt signatures and parsers against published examples and the providers' documented shapes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { twilioSignature, parseTwilioStatus } from '../../src/adapters/channels/twilio/twilio-receipts.ts';
import { parseSendGridEvents } from '../../src/adapters/channels/sendgrid/sendgrid-receipts.ts';
import {
  parsePlivoStatus,
  plivoSignatureV2,
  plivoSignatureV3,
  verifyPlivoSignature,
} from '../../src/adapters/channels/plivo/plivo-receipts.ts';
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

describe('Plivo request validation', () => {
  // Signatures that Plivo's own Node SDK (plivo 4.79.0: validateV3Signature for POST and GET,
  // validateSignature for V2) accepts for these inputs.
  const token = 'MjAxNTA5MjVzZWNyZXR0b2tlbg';
  const nonce = '05429567804466091622';
  const form = new URLSearchParams({
    MessageUUID: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
    Status: 'delivered',
    To: '14155550123',
    From: '14155550100',
    ErrorCode: '000',
    Units: '1',
  });
  const plain = 'https://herald.acme.example/v1/receipts/plivo';
  const withQuery = 'https://herald.acme.example:8443/v1/receipts/plivo?x=2&a=1&a=0';

  it("matches the signatures Plivo's SDK validates, V3 over URL, query and form, V2 over URL", () => {
    assert.equal(plivoSignatureV3(token, plain, form, nonce), 'tGaHqJEDttJUmECpRpi7HVfB6GCviSq9f/rav6fP51k=');
    assert.equal(
      plivoSignatureV3(token, plain, new URLSearchParams(), nonce),
      '7JmrhRarE4ufEQ1kywnq661Nz+4R+ZCNxj+lJemon+c=',
    );
    assert.equal(plivoSignatureV2(token, plain, nonce), 'mAXy8fYpCJHR4Ze/hZuHUYx5rUazrrnEFMsygIyCW4M=');
    assert.equal(
      plivoSignatureV3(token, withQuery, form, nonce),
      'Gd4tOGomfhQjIBG/VbN+atpTWF3+F/WKSAAMMcsZQfA=',
    );
    assert.equal(
      plivoSignatureV3(token, withQuery, new URLSearchParams(), nonce),
      'Dx5ueI1ZOciMbdht/CofaZPzoh6x9GjVO/1bQ5ltI38=',
    );
    assert.equal(plivoSignatureV2(token, withQuery, nonce), 'UFpmaOH6pcobbfKftY5A5+WKXI37zgawc5yxpCMl6gw=');
  });

  it('checks V3 when the request carries it (any of a comma-separated list), else V2', () => {
    const request = (headers: Record<string, string>) => ({ url: plain, header: (n: string) => headers[n] });
    const v3 = plivoSignatureV3(token, plain, form, nonce);
    const v2 = plivoSignatureV2(token, plain, nonce);
    const v3Headers = { 'x-plivo-signature-v3-nonce': nonce, 'x-plivo-signature-v3': `bogus, ${v3}` };
    const v2Headers = { 'x-plivo-signature-v2-nonce': nonce, 'x-plivo-signature-v2': v2 };
    assert.ok(verifyPlivoSignature(token, request(v3Headers), form));
    assert.ok(verifyPlivoSignature(token, request(v2Headers), form));
    const changed = new URLSearchParams(form);
    changed.set('Status', 'undelivered');
    assert.ok(!verifyPlivoSignature(token, request(v3Headers), changed), 'V3 covers the body');
    assert.ok(
      !verifyPlivoSignature(
        token,
        request({ ...v2Headers, 'x-plivo-signature-v3-nonce': nonce, 'x-plivo-signature-v3': 'bogus' }),
        form,
      ),
      'a wrong V3 is not rescued by a right V2',
    );
    assert.ok(!verifyPlivoSignature('other-token', request(v3Headers), form));
    assert.ok(!verifyPlivoSignature(token, request({}), form));
  });

  it('turns final statuses into receipts and acknowledges the rest', () => {
    const p = (status: string, extra: Record<string, string> = {}) =>
      parsePlivoStatus('pl', new URLSearchParams({ MessageUUID: 'u1', Status: status, ...extra }));
    assert.equal(p('delivered', { ErrorCode: '000' })?.event, 'delivered');
    assert.deepEqual(
      [
        p('undelivered', { ErrorCode: '300' })?.reason,
        p('failed')?.reason,
        p('rejected', { ErrorCode: '000' })?.reason,
      ],
      ['plivo_undelivered_300', 'plivo_failed', 'plivo_rejected'],
    );
    assert.equal(p('undelivered')?.event, 'failed');
    assert.equal(p('queued'), null);
    assert.equal(p('sent'), null);
    assert.equal(parsePlivoStatus('pl', new URLSearchParams({ Status: 'delivered' })), null);
    assert.equal(p('delivered')?.providerMessageId, 'u1');
  });
});
