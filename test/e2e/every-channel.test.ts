/**
 * Every channel, as a new user meets it: register the contact or device through the API, send
 * through the API, and read what the provider's fake received. Each channel has one provider at a
 * time (the rest of a chain is failover), so two Heralds share the providers between them:
 * - A: SMTP (smtp-server), Twilio, FCM, web push (HTTPS), signed webhooks and the in-app inbox;
 * - B: Vonage, APNs, Slack, and web push left at the browsers' endpoint pattern, which refuses the
 *   local push service: the operator's setting, so the device must stay active.
 * Web push bodies are decrypted here with `http_ece`, by the subscription's own private key.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import ece from 'http_ece';
import webpush from 'web-push';
import type { Herald } from '../../src/main.ts';
import { startApnsFake, type ApnsFake } from '../fakes/apns-fake.ts';
import type { FakeHttp } from '../fakes/fake-http.ts';
import { startFcmFake, type FcmFake } from '../fakes/fcm-fake.ts';
import { startSlackFake, type SlackFake } from '../fakes/slack-fake.ts';
import { startTwilioFake, type TwilioScenario } from '../fakes/twilio-fake.ts';
import { startVonageFake, type VonageScenario } from '../fakes/vonage-fake.ts';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type WebhookReceiver,
} from '../fakes/webhook-receiver.ts';
import { startWebPushFake, type WebPushFake } from '../fakes/webpush-fake.ts';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { hmacHeaders } from '../helpers/inbox.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TWILIO_TOKEN = 'twilio-auth-token';

/** A self-signed certificate for 127.0.0.1, trusted by this process from now on. */
function trustedLocalCertificate(): { key: string; cert: string } {
  const dir = tempDir('herald-tls-');
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  const pair = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), pair.cert]);
  return pair;
}

/** A browser's side of a subscription: a P-256 key pair and a 16-byte auth secret. */
function browserKeys(): { ecdh: ECDH; auth: Buffer } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, auth: randomBytes(16) };
}

async function serviceApi(herald: Herald): Promise<{ id: string; api: Client }> {
  const s = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN));
  return { id: s.id, api: client(herald.url ?? '', s.apiKey) };
}

const devices = (api: Client, recipient: string) =>
  api.get(`/v1/recipients/${recipient}/devices`).then((r) => r.body.data as any[]);

describe('every channel through the API to its provider', { timeout: 120_000 }, () => {
  const vapid = webpush.generateVAPIDKeys();
  let cert: { key: string; cert: string };
  let smtp: TestSmtp;
  let twilio: FakeHttp<TwilioScenario>;
  let vonage: FakeHttp<VonageScenario>;
  let fcm: FcmFake;
  let apns: ApnsFake;
  let push: WebPushFake;
  let slack: SlackFake;
  let hooks: WebhookReceiver;
  let a: Herald;
  let b: Herald;

  before(async () => {
    cert = trustedLocalCertificate();
    smtp = await startSmtp();
    twilio = await startTwilioFake(SID, TWILIO_TOKEN);
    vonage = await startVonageFake('vkey', 'vsecret');
    fcm = await startFcmFake();
    apns = await startApnsFake();
    push = await startWebPushFake(vapid.publicKey, cert);
    slack = await startSlackFake();
    hooks = await startWebhookReceiver();
    const webPush = { name: 'webpush', type: 'webpush', subject: 'mailto:ops@acme.test', ...vapid };
    a = await startInProcess({
      config: {
        allowPrivateWebhookUrls: true,
        providers: {
          email: [{ name: 'smtp', type: 'smtp', url: smtp.url, from: 'Acme <hello@acme.test>' }],
          sms: [
            {
              name: 'twilio',
              type: 'twilio',
              accountSid: SID,
              authToken: TWILIO_TOKEN,
              from: '+15005550006',
              baseUrl: twilio.url,
            },
          ],
          push: [{ name: 'fcm', type: 'fcm', serviceAccount: fcm.serviceAccount, baseUrl: fcm.url }],
          web_push: [{ ...webPush, endpointPattern: '^https://127\\.0\\.0\\.1:' }],
          webhook: [{ name: 'hooks', type: 'webhook', secret: TEST_WEBHOOK_SECRET }],
        },
      },
    });
    b = await startInProcess({
      config: {
        allowPrivateWebhookUrls: true,
        providers: {
          sms: [
            {
              name: 'vonage',
              type: 'vonage',
              apiKey: 'vkey',
              apiSecret: 'vsecret',
              from: 'Acme',
              baseUrl: vonage.url,
            },
          ],
          push: [
            {
              name: 'apns',
              type: 'apns',
              teamId: apns.teamId,
              keyId: apns.keyId,
              privateKey: apns.privateKey,
              topic: apns.topic,
              baseUrl: apns.url,
            },
          ],
          web_push: [webPush],
          slack: [{ name: 'slack', type: 'slack', baseUrl: `${slack.url}/services/` }],
        },
      },
    });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    for (const f of [smtp, twilio, vonage, fcm, apns, push, slack, hooks]) await f?.close();
  });

  it('delivers email, SMS (Twilio), FCM, web push, a signed webhook and an in-app item', async () => {
    const { id: serviceId, api } = await serviceApi(a);
    assert.equal(
      (
        await api.put('/v1/recipients/ann', {
          email: 'ann@example.com',
          phone: '+33612345678',
          attributes: { webhookUrl: `${hooks.url}/ann` },
        })
      ).status,
      201,
    );
    const android = await api.post('/v1/recipients/ann/devices', {
      platform: 'android',
      token: 'fcm-token-ann-0001',
    });
    assert.equal(android.status, 201, JSON.stringify(android.body));
    const keys = browserKeys();
    const subscription = push.subscribe(keys);
    const web = await api.post('/v1/recipients/ann/devices', { platform: 'web', ...subscription });
    assert.equal(web.status, 201, JSON.stringify(web.body));
    const secret = await api.post('/v1/inbox/secret');
    assert.equal(secret.status, 201);

    const sent = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: 'ann',
      channels: ['email', 'sms', 'push', 'web_push', 'webhook', 'in_app'],
      content: {
        email: { subject: 'Your order shipped', text: 'It is on its way.' },
        sms: { text: 'Order shipped' },
        push: { title: 'Shipped', body: 'Order 42 is on its way' },
        web_push: { title: 'Shipped', body: 'Order 42 (web)', url: '/orders/42' },
        webhook: { payload: { event: 'order.shipped', order: 42 } },
        in_app: { title: 'Shipped', body: 'Order 42 is on its way' },
      },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const n = await waitForNotification(api, sent.body.id);
    assert.deepEqual(
      n.deliveries.map((d: any) => `${d.channel}:${d.status}:${d.provider}`).sort(),
      [
        'email:sent:smtp',
        'in_app:sent:inbox',
        'push:sent:fcm',
        'sms:sent:twilio',
        'web_push:sent:webpush',
        'webhook:sent:hooks',
      ].sort(),
      JSON.stringify(n.deliveries),
    );

    const [mail] = await smtp.waitFor(1);
    assert.equal(mail?.subject, 'Your order shipped');
    assert.deepEqual(
      mail?.to?.map((t) => t.address),
      ['ann@example.com'],
    );

    const sms = new URLSearchParams(twilio.requests.at(-1)?.body);
    assert.deepEqual([sms.get('To'), sms.get('Body')], ['+33612345678', 'Order shipped']);

    const fcmSend = JSON.parse(
      fcm.requests.filter((r) => r.path.endsWith('messages:send')).at(-1)?.body ?? '{}',
    );
    assert.equal(fcmSend.message.token, 'fcm-token-ann-0001');
    assert.equal(fcmSend.message.notification.title, 'Shipped');

    // The push service got a body only the subscriber can read: decrypt it with the browser's keys.
    const pushed = push.requests.filter((r) => r.path === new URL(subscription.endpoint).pathname);
    assert.equal(pushed.length, 1);
    const plain = ece.decrypt(Buffer.from(pushed[0]!.body, 'latin1'), {
      version: 'aes128gcm',
      privateKey: keys.ecdh,
      authSecret: keys.auth.toString('base64url'),
    });
    const webDelivery = n.deliveries.find((d: any) => d.channel === 'web_push');
    assert.deepEqual(JSON.parse(plain.toString('utf8')), {
      title: 'Shipped',
      body: 'Order 42 (web)',
      url: '/orders/42',
      delivery_id: webDelivery.id,
    });
    assert.ok((await devices(api, 'ann')).every((d) => d.active));

    // The receiver verified the Standard Webhooks signature before it counted the receipt.
    const hook = await eventually(async () => hooks.receipts.at(-1), { what: 'the webhook' });
    assert.equal(hooks.badSignatures, 0);
    assert.deepEqual(hook.body.data, { event: 'order.shipped', order: 42 });

    const inbox = await client(a.url ?? '').get(
      '/v1/inbox/items',
      hmacHeaders({ id: serviceId, hmacKey: secret.body.hmacKey }, 'ann'),
    );
    assert.equal(inbox.status, 200);
    assert.deepEqual(
      inbox.body.data.map((i: any) => [i.title, i.body]),
      [['Shipped', 'Order 42 is on its way']],
    );
  });

  it('delivers SMS through Vonage, APNs and Slack; a refused push endpoint leaves the device active', async () => {
    const { api } = await serviceApi(b);
    const slackUrl = slack.webhookUrl();
    const bob = await api.put('/v1/recipients/bob', {
      phone: '+447911123456',
      attributes: { webhookUrl: slackUrl },
    });
    assert.equal(bob.status, 201, JSON.stringify(bob.body));
    const token = 'ab'.repeat(32);
    assert.equal((await api.post('/v1/recipients/bob/devices', { platform: 'ios', token })).status, 201);
    const web = await api.post('/v1/recipients/bob/devices', { platform: 'web', ...push.subscribe() });
    assert.equal(web.status, 201);
    const pushedBefore = push.requests.length;

    const sent = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: 'bob',
      channels: ['sms', 'push', 'web_push', 'webhook'],
      content: {
        sms: { text: 'Order shipped' },
        push: { title: 'Shipped', body: 'Order 43 is on its way' },
        web_push: { title: 'Shipped', body: 'Order 43 (web)' },
        webhook: { payload: { text: 'Order 43 shipped' } },
      },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const n = await waitForNotification(api, sent.body.id);
    assert.deepEqual(
      n.deliveries.map((d: any) => `${d.channel}:${d.status}:${d.reason}`).sort(),
      ['push:sent:null', 'sms:sent:null', 'web_push:failed:endpoint_not_allowed', 'webhook:sent:null'],
      JSON.stringify(n.deliveries),
    );

    const sms = new URLSearchParams(vonage.requests.at(-1)?.body);
    assert.deepEqual([sms.get('to'), sms.get('text')], ['447911123456', 'Order shipped']);

    const apnsSend = apns.requests.at(-1);
    assert.equal(apnsSend?.path, `/3/device/${token}`);
    assert.deepEqual(JSON.parse(apnsSend?.body ?? '{}').aps.alert, {
      title: 'Shipped',
      body: 'Order 43 is on its way',
    });

    const slackPost = slack.requests.at(-1);
    assert.equal(slackPost?.path, new URL(slackUrl).pathname);
    assert.equal(JSON.parse(slackPost?.body ?? '{}').text, 'Order 43 shipped');

    // The operator's pattern refused the endpoint: nothing was sent, and nobody's device went off.
    assert.equal(push.requests.length, pushedBefore);
    assert.deepEqual((await devices(api, 'bob')).map((d) => [d.platform, d.active]).sort(), [
      ['ios', true],
      ['web', true],
    ]);
  });
});
