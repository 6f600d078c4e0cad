/**
 * A service's own provider credentials never carry the operator's secrets, for every provider type a
 * service may bring credentials for, through the API of Herald running on PostgreSQL:
 * - a set without its secrets (only a URL, as an attacker would send) is refused with 422 naming each
 *   missing field, stores nothing, and the service's server never hears from Herald;
 * - a URL field the operator did not open to services is refused with 422 at its JSON pointer;
 * - a full set is used alone: the service's fake (which accepts only the service's secrets) gets the
 *   send, and no request anywhere carries the operator's key, token or signed assertion.
 * Each operator provider opens its URL fields to services (`serviceUrls`) so a service can point at its
 * own fake; a twin entry (`…-closed`) opens none. Loopback fakes are reached because the test allows
 * private URLs; what is checked here is whose secrets travel where.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import webpush from 'web-push';
import { createSecretBox, parseSecretKey } from '../../src/adapters/crypto/aes-gcm-secrets.ts';
import { kyselyDeviceStore } from '../../src/adapters/store/kysely-devices.ts';
import { kyselyProviderCredentials } from '../../src/adapters/store/kysely-provider-credentials.ts';
import { startApnsFake, type ApnsFake } from '../fakes/apns-fake.ts';
import type { FakeHttp, Recorded } from '../fakes/fake-http.ts';
import { startFcmFake, type FcmFake } from '../fakes/fcm-fake.ts';
import { startSendGridFake } from '../fakes/sendgrid-fake.ts';
import { startSesFake } from '../fakes/ses-fake.ts';
import { startSlackFake, type SlackFake } from '../fakes/slack-fake.ts';
import { startTwilioFake } from '../fakes/twilio-fake.ts';
import { startVonageFake } from '../fakes/vonage-fake.ts';
import { startWebPushFake, type WebPushFake } from '../fakes/webpush-fake.ts';
import { eventually, type Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

const secretKey = randomBytes(32).toString('base64');
const DEVICE = 'd'.repeat(64);
type Api = Client & { id: string };

/** Every recorded request of a fake as one string, to look for a secret anywhere in it. */
const seen = (requests: readonly Recorded[] | readonly { headers: object; body: string }[]) =>
  JSON.stringify(requests);

/** An operator entry and a twin under `<name>-closed` that opens no URL field to services. */
const withClosedTwin = (entry: Record<string, unknown>) => {
  const { serviceUrls: _opened, ...closed } = entry;
  return [entry, { ...closed, name: `${String(entry.name)}-closed` }];
};

async function settled(api: Api, body: Record<string, unknown>) {
  const res = await api.post('/v1/notifications', { type: 'order_shipped', ...body });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return eventually(
    async () => {
      const d = (await api.get(`/v1/notifications/${res.body.id}`)).body.deliveries?.[0];
      return d && ['sent', 'failed', 'dead'].includes(d.status) ? d : undefined;
    },
    { what: 'the delivery to settle' },
  );
}

async function expect422(api: Api, name: string, body: unknown, paths: string[]) {
  const res = await api.put(`/v1/providers/${name}/credentials`, body);
  assert.equal(res.status, 422, `${name}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.error.code, 'validation_failed');
  const got = res.body.error.details.map((d: { path: string }) => d.path);
  for (const p of paths) assert.ok(got.includes(p), `${name}: ${p} in ${JSON.stringify(got)}`);
}

async function expectNothingStored(api: Api) {
  const list = await api.get('/v1/providers/credentials');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.data, []);
}

describe("a service's own credentials: email, SMS, FCM, web push, Slack", { skip: skipWithoutPg }, () => {
  let herald: InProcess;
  let mailOp: FakeHttp<any>;
  let mailOwn: FakeHttp<any>;
  let smsOp: FakeHttp<any>;
  let smsOwn: FakeHttp<any>;
  let fcmOp: FcmFake;
  let fcmOwn: FcmFake;
  let pushOp: WebPushFake;
  let pushOwn: WebPushFake;
  let slackOwn: SlackFake;
  const opVapid = webpush.generateVAPIDKeys();
  const ownVapid = webpush.generateVAPIDKeys();
  const OP_SID = `AC${'a'.repeat(32)}`;
  const OWN_SID = `AC${'b'.repeat(32)}`;

  before(async () => {
    [mailOp, mailOwn, smsOp, smsOwn, fcmOp, fcmOwn, pushOp, pushOwn, slackOwn] = await Promise.all([
      startSendGridFake('SG.operator-key'),
      startSendGridFake('SG.service-key'),
      startTwilioFake(OP_SID, 'operator-auth-token'),
      startTwilioFake(OWN_SID, 'service-auth-token'),
      startFcmFake('operator-project'),
      startFcmFake('service-project'),
      startWebPushFake(opVapid.publicKey),
      startWebPushFake(ownVapid.publicKey),
      startSlackFake(),
    ]);
    herald = await startInProcess({
      secretKey,
      allowPrivateWebhookUrls: true,
      providers: {
        email: withClosedTwin({
          name: 'mail',
          type: 'sendgrid',
          apiKey: 'SG.operator-key',
          from: 'ops@operator.test',
          baseUrl: mailOp.url,
          serviceUrls: ['baseUrl'],
        }),
        sms: withClosedTwin({
          name: 'texts',
          type: 'twilio',
          accountSid: OP_SID,
          authToken: 'operator-auth-token',
          from: '+15550000001',
          baseUrl: smsOp.url,
          serviceUrls: ['baseUrl'],
        }),
        push: withClosedTwin({
          name: 'push',
          type: 'fcm',
          serviceAccount: fcmOp.serviceAccount,
          baseUrl: fcmOp.url,
          // The token URL stays closed: only the service account's own token_uri is opened.
          serviceUrls: ['baseUrl', 'serviceAccount/token_uri'],
        }),
        web_push: [
          {
            name: 'browser',
            type: 'webpush',
            subject: 'mailto:ops@operator.test',
            publicKey: opVapid.publicKey,
            privateKey: opVapid.privateKey,
            endpointPattern: '^http://127\\.0\\.0\\.1:',
          },
        ],
        slack: withClosedTwin({ name: 'team-slack', type: 'slack', serviceUrls: ['baseUrl'] }),
      },
    });
  });
  after(async () => {
    await herald?.stop();
    for (const f of [mailOp, mailOwn, smsOp, smsOwn, fcmOp, fcmOwn, pushOp, pushOwn, slackOwn])
      await f?.close();
  });

  it('refuses FCM credentials that name only a URL, and pushes through the operator, not to that URL', async () => {
    const api = await herald.service('Attacker');
    await expect422(api, 'push', { type: 'fcm', credentials: { baseUrl: fcmOwn.url } }, [
      '/credentials/serviceAccount',
    ]);
    await expect422(
      api,
      'push',
      {
        type: 'fcm',
        credentials: { serviceAccount: fcmOwn.serviceAccount, tokenUrl: `${fcmOwn.url}/token` },
      },
      ['/credentials/tokenUrl'],
    );
    await expectNothingStored(api);
    await api.put('/v1/recipients/ann', {});
    assert.equal(
      (await api.post('/v1/recipients/ann/devices', { platform: 'android', token: 'fcm-device-1' })).status,
      201,
    );
    const d = await settled(api, {
      recipient: 'ann',
      channels: ['push'],
      content: { push: { title: 'Hi', body: 'There' } },
    });
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.equal(fcmOwn.requests.length, 0, "the service's server never heard from Herald");
  });

  it('fails a stored FCM set without its secret (saved under older rules) instead of lending it the operator account', async () => {
    const api = await herald.service('Legacy');
    const store = kyselyProviderCredentials(herald.herald.db, createSecretBox(parseSecretKey(secretKey)));
    await store.put(api.id, 'push', 'fcm', { baseUrl: fcmOwn.url });
    await api.put('/v1/recipients/bo', {});
    await api.post('/v1/recipients/bo/devices', { platform: 'android', token: 'fcm-device-2' });
    const before = fcmOp.tokenRequests;
    const d = await settled(api, {
      recipient: 'bo',
      channels: ['push'],
      content: { push: { title: 'Hi', body: 'There' } },
    });
    assert.equal(d.status, 'failed', JSON.stringify(d));
    assert.equal(d.reason, 'service_credentials_invalid');
    assert.match(d.attempts.at(-1).errorMessage, /serviceAccount/);
    assert.equal(fcmOwn.requests.length, 0, 'no token and no assertion went to the URL it named');
    assert.equal(fcmOp.tokenRequests, before, 'the operator account was not used for it');
  });

  it("sends with a service's full FCM set alone: its own assertion, token and project", async () => {
    const api = await herald.service('OwnPush');
    const put = await api.put('/v1/providers/push/credentials', {
      type: 'fcm',
      credentials: { serviceAccount: fcmOwn.serviceAccount, baseUrl: fcmOwn.url },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await expect422(
      api,
      'push-closed',
      { type: 'fcm', credentials: { serviceAccount: fcmOwn.serviceAccount, baseUrl: fcmOwn.url } },
      ['/credentials/baseUrl', '/credentials/serviceAccount/token_uri'],
    );
    await api.put('/v1/recipients/cy', {});
    await api.post('/v1/recipients/cy/devices', { platform: 'android', token: 'fcm-device-3' });
    const opSends = fcmOp.requests.length;
    const d = await settled(api, {
      recipient: 'cy',
      channels: ['push'],
      content: { push: { title: 'Hi', body: 'There' } },
    });
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.match(d.attempts.at(-1).providerMessageId, /^projects\/service-project\//);
    assert.ok(fcmOwn.tokenRequests >= 1, 'the assertion was signed with the service key');
    assert.equal(fcmOp.requests.length, opSends, 'nothing of this service went to the operator project');
    assert.ok(!seen(fcmOwn.requests).includes('operator-project'));

    // A revoked access token is not a refusal of the service's credentials: a fresh one is fetched.
    fcmOwn.revokeTokens();
    const again = await settled(api, {
      recipient: 'cy',
      channels: ['push'],
      content: { push: { title: 'Again', body: 'There' } },
    });
    assert.equal(again.status, 'sent', JSON.stringify(again));
    assert.equal(again.attempts.length, 1);
  });

  it('SendGrid: refuses a set without its key, and a closed base URL; a full set sends alone', async () => {
    const api = await herald.service('OwnMail');
    await expect422(api, 'mail', { type: 'sendgrid', credentials: { baseUrl: mailOwn.url } }, [
      '/credentials/apiKey',
      '/credentials/from',
    ]);
    const full = { apiKey: 'SG.service-key', from: 'hi@own.test', baseUrl: mailOwn.url };
    await expect422(api, 'mail-closed', { type: 'sendgrid', credentials: full }, ['/credentials/baseUrl']);
    await expectNothingStored(api);
    assert.equal(
      (await api.put('/v1/providers/mail/credentials', { type: 'sendgrid', credentials: full })).status,
      200,
    );
    const d = await settled(api, {
      recipient: { id: 'dee', email: 'dee@example.com' },
      channels: ['email'],
      content: { email: { subject: 'Hi', text: 'Hello' } },
    });
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.equal(mailOwn.requests.at(-1)?.headers.authorization, 'Bearer SG.service-key');
    assert.ok(!seen(mailOwn.requests).includes('SG.operator-key'));
    assert.ok(
      !seen(mailOwn.requests).includes('ops@operator.test'),
      "the operator's sender address stays its own",
    );
  });

  it('Twilio: refuses a set without its account and token; a full set sends alone', async () => {
    const api = await herald.service('OwnSms');
    await expect422(
      api,
      'texts',
      { type: 'twilio', credentials: { baseUrl: smsOwn.url, from: '+15550000002' } },
      ['/credentials/accountSid', '/credentials/authToken'],
    );
    const full = {
      accountSid: OWN_SID,
      authToken: 'service-auth-token',
      from: '+15550000002',
      baseUrl: smsOwn.url,
    };
    await expect422(api, 'texts-closed', { type: 'twilio', credentials: full }, ['/credentials/baseUrl']);
    assert.equal(
      (await api.put('/v1/providers/texts/credentials', { type: 'twilio', credentials: full })).status,
      200,
    );
    const d = await settled(api, {
      recipient: { id: 'eli', phone: '+14155552671' },
      channels: ['sms'],
      content: { sms: { text: 'hello' } },
    });
    assert.equal(d.status, 'sent', JSON.stringify(d));
    const all = seen(smsOwn.requests);
    assert.ok(
      !all.includes(OP_SID) && !all.includes(Buffer.from(`${OP_SID}:operator-auth-token`).toString('base64')),
    );
  });

  it('web push: refuses a set without its VAPID keys; a full set signs with its own, under the operator allow-list', async () => {
    const api = await herald.service('OwnBrowser');
    await expect422(api, 'browser', { type: 'webpush', credentials: { subject: 'mailto:me@own.test' } }, [
      '/credentials/publicKey',
      '/credentials/privateKey',
    ]);
    await expect422(
      api,
      'browser',
      {
        type: 'webpush',
        credentials: {
          subject: 'mailto:me@own.test',
          publicKey: ownVapid.publicKey,
          privateKey: ownVapid.privateKey,
          endpointPattern: '.*',
        },
      },
      ['/credentials'],
    );
    const put = await api.put('/v1/providers/browser/credentials', {
      type: 'webpush',
      credentials: {
        subject: 'mailto:me@own.test',
        publicKey: ownVapid.publicKey,
        privateKey: ownVapid.privateKey,
      },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await api.put('/v1/recipients/fay', {});
    // The API takes https endpoints only; the fake push service is plain http on loopback, so the
    // device is registered in the store the way the devices route stores one: endpoint and keys.
    const sub = pushOwn.subscribe();
    await kyselyDeviceStore(herald.herald.db).register(api.id, 'fay', {
      platform: 'web',
      token: sub.endpoint,
      keys: sub.keys,
    });
    const d = await settled(api, {
      recipient: 'fay',
      channels: ['web_push'],
      content: { web_push: { title: 'Hi', body: 'There' } },
    });
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.equal(pushOwn.received.length, 1, 'the push service verified the service VAPID key');
    assert.ok(!seen(pushOwn.requests).includes(opVapid.publicKey));
  });

  it('Slack: a base URL only where the operator opened it', async () => {
    const api = await herald.service('OwnSlack');
    await expect422(
      api,
      'team-slack-closed',
      { type: 'slack', credentials: { baseUrl: `${slackOwn.url}/` } },
      ['/credentials/baseUrl'],
    );
    const put = await api.put('/v1/providers/team-slack/credentials', {
      type: 'slack',
      credentials: { baseUrl: `${slackOwn.url}/` },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const d = await settled(api, {
      recipient: { id: 'gus' },
      channels: ['webhook'],
      content: { webhook: { url: slackOwn.webhookUrl(), payload: { text: 'Deploy finished' } } },
    });
    // The address is under the service's base URL, not the operator's (Slack's own), so it went out.
    assert.equal(slackOwn.requests.length, 1, JSON.stringify(d));
    assert.equal(d.provider, 'team-slack');
  });

  it('takes no service credentials for SMTP or the webhook provider', async () => {
    const api = await herald.service('NoSmtp');
    for (const type of ['smtp', 'webhook']) {
      const res = await api.put('/v1/providers/mail/credentials', { type, credentials: { url: 'smtp://x' } });
      assert.equal(res.status, 422, JSON.stringify(res.body));
    }
    await expectNothingStored(api);
  });
});

describe("a service's own credentials: SES, Vonage, APNs", { skip: skipWithoutPg }, () => {
  let herald: InProcess;
  let sesOp: FakeHttp<any>;
  let sesOwn: FakeHttp<any>;
  let vonageOp: FakeHttp<any>;
  let vonageOwn: FakeHttp<any>;
  let apnsOp: ApnsFake;
  let apnsOwn: ApnsFake;

  before(async () => {
    [sesOp, sesOwn, vonageOp, vonageOwn, apnsOp, apnsOwn] = await Promise.all([
      startSesFake({ AKIAOPERATOR: 'operator-secret' }),
      startSesFake({ AKIASERVICE: 'service-secret' }),
      startVonageFake('operator-key', 'operator-secret'),
      startVonageFake('service-key', 'service-secret'),
      startApnsFake(),
      startApnsFake(),
    ]);
    herald = await startInProcess({
      secretKey,
      allowPrivateWebhookUrls: true,
      providers: {
        email: withClosedTwin({
          name: 'mail',
          type: 'ses',
          region: 'eu-west-1',
          accessKeyId: 'AKIAOPERATOR',
          secretAccessKey: 'operator-secret',
          from: 'ops@operator.test',
          baseUrl: sesOp.url,
          serviceUrls: ['baseUrl'],
        }),
        sms: withClosedTwin({
          name: 'texts',
          type: 'vonage',
          apiKey: 'operator-key',
          apiSecret: 'operator-secret',
          from: 'Operator',
          callbackUrl: 'https://receipts.operator.test/vonage',
          baseUrl: vonageOp.url,
          serviceUrls: ['baseUrl'],
        }),
        push: withClosedTwin({
          name: 'push',
          type: 'apns',
          teamId: apnsOp.teamId,
          keyId: apnsOp.keyId,
          privateKey: apnsOp.privateKey,
          topic: apnsOp.topic,
          baseUrl: apnsOp.url,
          serviceUrls: ['baseUrl'],
        }),
      },
    });
  });
  after(async () => {
    await herald?.stop();
    for (const f of [sesOp, sesOwn, vonageOp, vonageOwn, apnsOp, apnsOwn]) await f?.close();
  });

  it('APNs: refuses a set without its private key; a full set signs with its own key alone', async () => {
    const api = await herald.service('OwnApns');
    const ids = { teamId: apnsOwn.teamId, keyId: apnsOwn.keyId, topic: apnsOwn.topic };
    await expect422(api, 'push', { type: 'apns', credentials: { ...ids, baseUrl: apnsOwn.url } }, [
      '/credentials/privateKey',
    ]);
    const full = { ...ids, privateKey: apnsOwn.privateKey, baseUrl: apnsOwn.url };
    await expect422(api, 'push-closed', { type: 'apns', credentials: full }, ['/credentials/baseUrl']);
    await expectNothingStored(api);
    // Refused, so a push goes through the operator, never to the service's server.
    await api.put('/v1/recipients/hal', {});
    await api.post('/v1/recipients/hal/devices', { platform: 'ios', token: DEVICE });
    const push = { recipient: 'hal', channels: ['push'], content: { push: { title: 'Hi', body: 'There' } } };
    const refused = await herald.service('RefusedApns');
    await refused.put('/v1/recipients/hal', {});
    await refused.post('/v1/recipients/hal/devices', { platform: 'ios', token: DEVICE });
    assert.equal((await settled(refused, push)).status, 'sent');
    assert.equal(apnsOwn.requests.length, 0);

    assert.equal(
      (await api.put('/v1/providers/push/credentials', { type: 'apns', credentials: full })).status,
      200,
    );
    const opSends = apnsOp.requests.length;
    const d = await settled(api, push);
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.equal(apnsOwn.requests.length, 1, "the service's APNs verified the service key");
    assert.equal(apnsOp.requests.length, opSends);
  });

  it("APNs: a stored set without its key fails, and the operator's key signs nothing for it", async () => {
    const api = await herald.service('LegacyApns');
    const store = kyselyProviderCredentials(herald.herald.db, createSecretBox(parseSecretKey(secretKey)));
    await store.put(api.id, 'push', 'apns', {
      teamId: apnsOwn.teamId,
      keyId: apnsOwn.keyId,
      topic: apnsOwn.topic,
      baseUrl: apnsOwn.url,
    });
    await api.put('/v1/recipients/ivy', {});
    await api.post('/v1/recipients/ivy/devices', { platform: 'ios', token: DEVICE });
    const seenBefore = apnsOwn.requests.length;
    const d = await settled(api, {
      recipient: 'ivy',
      channels: ['push'],
      content: { push: { title: 'Hi', body: 'There' } },
    });
    assert.equal(d.status, 'failed', JSON.stringify(d));
    assert.equal(d.reason, 'service_credentials_invalid');
    assert.equal(
      apnsOwn.requests.length,
      seenBefore,
      'no provider token signed with the operator key reached it',
    );
  });

  it('SES: refuses a set without its keys; a full set signs with its own alone', async () => {
    const api = await herald.service('OwnSes');
    await expect422(
      api,
      'mail',
      { type: 'ses', credentials: { region: 'eu-west-1', from: 'hi@own.test', baseUrl: sesOwn.url } },
      ['/credentials/accessKeyId', '/credentials/secretAccessKey'],
    );
    const full = {
      region: 'eu-west-1',
      accessKeyId: 'AKIASERVICE',
      secretAccessKey: 'service-secret',
      from: 'hi@own.test',
      baseUrl: sesOwn.url,
    };
    await expect422(api, 'mail-closed', { type: 'ses', credentials: full }, ['/credentials/baseUrl']);
    assert.equal(
      (await api.put('/v1/providers/mail/credentials', { type: 'ses', credentials: full })).status,
      200,
    );
    const d = await settled(api, {
      recipient: { id: 'jo', email: 'jo@example.com' },
      channels: ['email'],
      content: { email: { subject: 'Hi', text: 'Hello' } },
    });
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.ok(!seen(sesOwn.requests).includes('AKIAOPERATOR'));
  });

  it('Vonage: refuses a set without its key and secret, and a closed callback URL; a full set sends alone', async () => {
    const api = await herald.service('OwnVonage');
    await expect422(api, 'texts', { type: 'vonage', credentials: { from: 'Own', baseUrl: vonageOwn.url } }, [
      '/credentials/apiKey',
      '/credentials/apiSecret',
    ]);
    const full = { apiKey: 'service-key', apiSecret: 'service-secret', from: 'Own', baseUrl: vonageOwn.url };
    await expect422(
      api,
      'texts',
      { type: 'vonage', credentials: { ...full, callbackUrl: 'https://own.test/dlr' } },
      ['/credentials/callbackUrl'],
    );
    assert.equal(
      (await api.put('/v1/providers/texts/credentials', { type: 'vonage', credentials: full })).status,
      200,
    );
    const d = await settled(api, {
      recipient: { id: 'kim', phone: '+14155552671' },
      channels: ['sms'],
      content: { sms: { text: 'hello' } },
    });
    assert.equal(d.status, 'sent', JSON.stringify(d));
    const all = seen(vonageOwn.requests);
    assert.ok(!all.includes('operator-key') && !all.includes('operator-secret'));
    assert.ok(!all.includes('receipts.operator.test'), "the operator's receipt URL is not lent either");
  });
});
