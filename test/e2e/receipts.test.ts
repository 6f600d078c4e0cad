/**
 * Delivery receipts end to end, on a real `herald start` process with PostgreSQL: SendGrid and Twilio
 * fakes take the sends; signed receipts move deliveries on; wrong signatures get 401 and change nothing;
 * hard bounces and complaints put the address on the suppression list, which the planner honours.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { twilioSignature } from '../../src/adapters/receipts/twilio-receipts.ts';
import { client, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startHeraldProcess, tempDir, writeConfig, type HeraldProcess } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { startSendGridFake } from '../fakes/sendgrid-fake.ts';
import { startTwilioFake } from '../fakes/twilio-fake.ts';
import { startSnsFake, type SnsFake } from '../fakes/sns-fake.ts';
import type { FakeHttp } from '../fakes/fake-http.ts';

const SID = `AC${'0f'.repeat(16)}`;
const TOKEN = 'twilio-secret-token';
const ADMIN = 'admin-token-for-receipts-test';

describe('delivery receipts', { skip: skipWithoutPg, timeout: 90_000 }, () => {
  let pg: TestDatabase;
  let herald: HeraldProcess;
  let sendgrid: FakeHttp<any>;
  let twilio: FakeHttp<any>;
  let sns: SnsFake;
  let api: Client;
  const sgKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  before(async () => {
    pg = await freshDatabase();
    sendgrid = await startSendGridFake('SG.key');
    twilio = await startTwilioFake(SID, TOKEN);
    sns = await startSnsFake();
    const dir = tempDir();
    const config = writeConfig(dir, {
      worker: { pollMs: 50 },
      providers: {
        email: [
          {
            name: 'sendgrid',
            type: 'sendgrid',
            apiKey: 'SG.key',
            from: 'noreply@acme.test',
            baseUrl: sendgrid.url,
            webhookPublicKey: sgKeys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
          },
          {
            name: 'ses',
            type: 'ses',
            region: 'eu-west-1',
            accessKeyId: 'AKID',
            secretAccessKey: 'secret',
            from: 'noreply@acme.test',
            snsTopicArns: [sns.topicArn],
          },
        ],
        sms: [
          {
            name: 'twilio',
            type: 'twilio',
            accountSid: SID,
            authToken: TOKEN,
            from: '+15005550006',
            baseUrl: twilio.url,
          },
        ],
      },
      receipts: { snsCertUrlPattern: '^http://127\\.0\\.0\\.1:\\d+/' },
    });
    herald = await startHeraldProcess('start', {
      DATABASE_URL: pg.url,
      HERALD_CONFIG: config,
      HERALD_ADMIN_TOKEN: ADMIN,
    });
    const service = await registerService(client(herald.url, ADMIN));
    api = client(herald.url, service.apiKey);
  });

  after(async () => {
    await herald?.stop();
    await Promise.all([sendgrid?.close(), twilio?.close(), sns?.close()]);
    await pg?.drop();
  });

  const notify = async (recipient: string, channels: string[]) => {
    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient,
      channels,
      content: { email: { subject: 'Shipped', text: 'On its way' }, sms: { text: 'Shipped' } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const n = await waitForNotification(api, res.body.id);
    const d = n.deliveries.find((x: any) => x.channel === channels[0]);
    return { ...d, notificationId: n.id as string };
  };
  /** The delivery as the API shows it now. */
  const current = async (d: { notificationId: string; id: string }) => {
    const res = await api.get(`/v1/notifications/${d.notificationId}`);
    return res.body.deliveries.find((x: any) => x.id === d.id);
  };
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${herald.url}${path}`, { method: 'POST', body, headers }).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));

  it('Twilio: a wrong X-Twilio-Signature is a 401 and changes nothing; the right one marks delivered', async () => {
    await api.put('/v1/recipients/ann', { email: 'Ann@Example.com', phone: '+33612345678' });
    const d = await notify('ann', ['sms']);
    assert.equal(d.status, 'sent');
    const sid = d.attempts.at(-1).providerMessageId;
    assert.match(sid, /^SM/);
    const params = new URLSearchParams({
      MessageSid: sid,
      MessageStatus: 'delivered',
      AccountSid: SID,
      To: '+33612345678',
    });
    const url = `${herald.url}/v1/receipts/twilio`;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    const bad = await post('/v1/receipts/twilio', params.toString(), {
      ...form,
      'x-twilio-signature': twilioSignature('wrong-token', url, params),
    });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'unauthorized');
    const missing = await post('/v1/receipts/twilio', params.toString(), form);
    assert.equal(missing.status, 401);
    assert.equal((await current(d)).status, 'sent');

    const ok = await post('/v1/receipts/twilio', params.toString(), {
      ...form,
      'x-twilio-signature': twilioSignature(TOKEN, url, params),
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { received: 1, applied: 1, unknown: 0 });
    assert.equal((await current(d)).status, 'delivered');
  });

  it('SendGrid: a bad ECDSA signature is a 401; a signed hard bounce marks bounced and suppresses the address', async () => {
    const d = await notify('ann', ['email']);
    assert.equal(d.status, 'sent');
    const events = JSON.stringify([
      { email: 'ann@example.com', event: 'processed', delivery_id: d.id, timestamp: 1700000000 },
      {
        email: 'ann@example.com',
        event: 'bounce',
        type: 'bounce',
        reason: '550 5.1.1 The email account that you tried to reach does not exist.',
        status: '5.1.1',
        delivery_id: d.id,
        sg_message_id: `${d.attempts.at(-1).providerMessageId}.filter0001.1234.0`,
        timestamp: 1700000001,
      },
    ]);
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = (key: typeof sgKeys.privateKey, body = events) =>
      sign('sha256', Buffer.from(ts + body), key).toString('base64');
    const headers = (s: string) => ({
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-signature': s,
      'x-twilio-email-event-webhook-timestamp': ts,
    });

    const forged = await post('/v1/receipts/sendgrid', events, headers(sig(otherKeys.privateKey)));
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error.code, 'unauthorized');
    const tampered = await post(
      '/v1/receipts/sendgrid',
      events.replace('bounce', 'delivered'),
      headers(sig(sgKeys.privateKey)),
    );
    assert.equal(tampered.status, 401);
    assert.equal((await current(d)).status, 'sent');

    const ok = await post('/v1/receipts/sendgrid', events, headers(sig(sgKeys.privateKey)));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { received: 1, applied: 1, unknown: 0 });
    const bounced = await current(d);
    assert.equal(bounced.status, 'bounced');
    assert.match(bounced.reason, /^sendgrid_bounce: 550 5\.1\.1/);

    // The recipient's address was stored as Ann@Example.com: suppression ignores case.
    const again = await notify('ann', ['email']);
    assert.equal(again.status, 'suppressed');
    assert.equal(again.reason, 'address_suppressed');
  });

  it('SES via SNS: bad signatures and foreign certificate hosts are 401; a signed complaint suppresses', async () => {
    await api.put('/v1/recipients/bob', { email: 'bob@example.com' });
    const d = await notify('bob', ['email']);
    assert.equal(d.status, 'sent');
    const complaint = {
      eventType: 'Complaint',
      mail: { messageId: '0100abc', tags: { delivery_id: [d.id] } },
      complaint: { complaintFeedbackType: 'abuse', timestamp: new Date().toISOString() },
    };
    const text = { 'content-type': 'text/plain; charset=UTF-8' };

    const signed = sns.notification(complaint);
    const tampered = { ...signed, Message: JSON.stringify({ ...complaint, eventType: 'Delivery' }) };
    const bad = await post('/v1/receipts/ses', JSON.stringify(tampered), text);
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'unauthorized');
    const foreign = await post(
      '/v1/receipts/ses',
      JSON.stringify({ ...signed, SigningCertURL: 'https://evil.example/cert.pem' }),
      text,
    );
    assert.equal(foreign.status, 401);
    const stillSent = await notify('bob', ['email']);
    assert.equal(stillSent.status, 'sent', 'nothing was suppressed by the rejected receipts');

    const ok = await post('/v1/receipts/ses', JSON.stringify(signed), text);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { received: 1, applied: 0, unknown: 0 });
    assert.equal((await current(d)).status, 'sent', 'a complaint is recorded, the delivery stays sent');
    const later = await notify('bob', ['email']);
    assert.equal(later.status, 'suppressed');
    assert.equal(later.reason, 'address_suppressed');
  });

  it('SES via SNS: a SignatureVersion 2 Delivery event marks delivered; subscriptions are confirmed', async () => {
    await api.put('/v1/recipients/cy', { email: 'cy@example.com' });
    const d = await notify('cy', ['email']);
    const msg = sns.notification(
      { eventType: 'Delivery', mail: { messageId: 'x', tags: { delivery_id: [d.id] } }, delivery: {} },
      '2',
    );
    const ok = await post('/v1/receipts/ses', JSON.stringify(msg), { 'content-type': 'text/plain' });
    assert.deepEqual(ok.body, { received: 1, applied: 1, unknown: 0 });
    assert.equal((await current(d)).status, 'delivered');

    const confirm = await post('/v1/receipts/ses', JSON.stringify(sns.subscriptionConfirmation()), {
      'content-type': 'text/plain',
    });
    assert.equal(confirm.status, 200);
    assert.equal(sns.confirmations, 1);
  });

  it('answers 404 for a provider that takes no receipts', async () => {
    const res = await post('/v1/receipts/nobody', '{}', { 'content-type': 'application/json' });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
  });
});
