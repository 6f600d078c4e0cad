/**
 * Delivery receipts end to end, on a real `herald start` process with PostgreSQL: SendGrid and Twilio
 * fakes take the sends; signed receipts move deliveries on; wrong signatures get 401 and change nothing;
 * hard bounces and complaints put the address on the suppression list, which the planner honours.
 * A receipt counts only from the provider that sent the delivery, only from SNS topics the operator
 * listed, and only while it is fresh: replays past the window get 401.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import pgClient from 'pg';
import { after, before, describe, it } from 'node:test';
import twilioLibrary from 'twilio';
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
          {
            // No topic list: SNS receipts for it are refused, whoever signs them.
            name: 'ses-unlisted',
            type: 'ses',
            region: 'eu-west-1',
            accessKeyId: 'AKID',
            secretAccessKey: 'secret',
            from: 'noreply@acme.test',
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
  /**
   * The email chain sends through SendGrid first; the SES cases need deliveries SES sent, so they
   * record SES as the sender, as the SES sender itself would have.
   */
  const sentBySes = async (deliveryId: string) => {
    const c = new pgClient.Client({ connectionString: pg.url });
    await c.connect();
    try {
      await c.query(`update deliveries set provider = 'ses' where id = $1`, [deliveryId]);
    } finally {
      await c.end();
    }
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
      'x-twilio-signature': twilioLibrary.getExpectedTwilioSignature(
        'wrong-token',
        url,
        Object.fromEntries(params),
      ),
    });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'unauthorized');
    const missing = await post('/v1/receipts/twilio', params.toString(), form);
    assert.equal(missing.status, 401);
    assert.equal((await current(d)).status, 'sent');

    const ok = await post('/v1/receipts/twilio', params.toString(), {
      ...form,
      'x-twilio-signature': twilioLibrary.getExpectedTwilioSignature(TOKEN, url, Object.fromEntries(params)),
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
    await sentBySes(d.id);
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
    await sentBySes(d.id);
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

  it("refuses receipts about another provider's delivery, from unlisted topics, and replays", async () => {
    await api.put('/v1/recipients/dee', { email: 'dee@example.com' });
    const d = await notify('dee', ['email']);
    assert.equal(d.status, 'sent');
    assert.equal(d.provider, 'sendgrid');
    const text = { 'content-type': 'text/plain' };
    const bounce = {
      eventType: 'Bounce',
      mail: { messageId: 'm', tags: { delivery_id: [d.id] } },
      bounce: { bounceType: 'Permanent', bounceSubType: 'General' },
    };

    // A valid SNS message about a delivery SendGrid sent: SES never had it, so nothing changes.
    const foreign = await post('/v1/receipts/ses', JSON.stringify(sns.notification(bounce)), text);
    assert.equal(foreign.status, 200, JSON.stringify(foreign.body));
    assert.deepEqual(foreign.body, { received: 1, applied: 0, unknown: 1 });
    assert.equal((await current(d)).status, 'sent');
    assert.equal((await notify('dee', ['email'])).status, 'sent', 'the address was not suppressed');

    // A provider without snsTopicArns hears no topic at all, subscription confirmations included.
    const unlisted = await post('/v1/receipts/ses-unlisted', JSON.stringify(sns.notification(bounce)), text);
    assert.equal(unlisted.status, 401);
    assert.match(unlisted.body.error.message, /snsTopicArns/);
    const confirmations = sns.confirmations;
    const confirm = await post(
      '/v1/receipts/ses-unlisted',
      JSON.stringify(sns.subscriptionConfirmation()),
      text,
    );
    assert.equal(confirm.status, 401);
    assert.equal(sns.confirmations, confirmations);

    // A correctly signed SNS message older than an hour is a replay.
    await sentBySes(d.id);
    const old = sns.notification(bounce, '1', new Date(Date.now() - 2 * 3600_000));
    const replayed = await post('/v1/receipts/ses', JSON.stringify(old), text);
    assert.equal(replayed.status, 401);
    assert.match(replayed.body.error.message, /replayed receipts are refused/);
    const future = sns.notification(bounce, '1', new Date(Date.now() + 3600_000));
    assert.equal((await post('/v1/receipts/ses', JSON.stringify(future), text)).status, 401);
    assert.equal((await current(d)).status, 'sent');

    // SendGrid: a correctly signed batch whose signed timestamp is an hour old is a replay too.
    const events = JSON.stringify([{ event: 'delivered', delivery_id: d.id, timestamp: 1700000000 }]);
    const signedAt = (seconds: number) => ({
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-timestamp': String(seconds),
      'x-twilio-email-event-webhook-signature': sign(
        'sha256',
        Buffer.from(String(seconds) + events),
        sgKeys.privateKey,
      ).toString('base64'),
    });
    const stale = await post('/v1/receipts/sendgrid', events, signedAt(Math.floor(Date.now() / 1000) - 3600));
    assert.equal(stale.status, 401);
    assert.match(stale.body.error.message, /replayed receipts are refused/);
    assert.equal((await current(d)).status, 'sent');
  });

  it('answers 404 for a provider that takes no receipts', async () => {
    const res = await post('/v1/receipts/nobody', '{}', { 'content-type': 'application/json' });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
  });
});
