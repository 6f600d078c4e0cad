/**
 * Twilio status callbacks for messages a service sent with its own Twilio account, through the public
 * receipt route on real PostgreSQL. Twilio signs each callback with the auth token of the account that
 * sent the message, so Herald checks it with that service's token (found by the delivery the callback
 * names and the account it says it is from), not only the operator's; another service's token, or the
 * right account with a wrong token, changes nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import twilioLibrary from 'twilio';
import { startTwilioFake } from '../fakes/twilio-fake.ts';
import type { FakeHttp } from '../fakes/fake-http.ts';
import { eventually, type Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

const OP_SID = `AC${'a'.repeat(32)}`;
const OWN_SID = `AC${'b'.repeat(32)}`;
const OTHER_SID = `AC${'c'.repeat(32)}`;

/** X-Twilio-Signature as Twilio's own library computes it, independently of Herald's check. */
function signLikeTwilio(authToken: string, url: string, params: Record<string, string>): string {
  return twilioLibrary.getExpectedTwilioSignature(authToken, url, params);
}

describe("receipts from a service's own Twilio account", { skip: skipWithoutPg }, () => {
  let herald: InProcess;
  let operator: FakeHttp<any>;
  let own: FakeHttp<any>;
  let other: FakeHttp<any>;

  before(async () => {
    [operator, own, other] = await Promise.all([
      startTwilioFake(OP_SID, 'operator-auth-token'),
      startTwilioFake(OWN_SID, 'own-auth-token'),
      startTwilioFake(OTHER_SID, 'other-auth-token'),
    ]);
    herald = await startInProcess({
      secretKey: randomBytes(32).toString('base64'),
      allowPrivateWebhookUrls: true,
      providers: {
        sms: [
          {
            name: 'texts',
            type: 'twilio',
            accountSid: OP_SID,
            authToken: 'operator-auth-token',
            from: '+15550000001',
            baseUrl: operator.url,
            serviceUrls: ['baseUrl'],
          },
        ],
      },
    });
  });

  after(async () => {
    await herald?.stop();
    await Promise.all([operator?.close(), own?.close(), other?.close()]);
  });

  const withOwnAccount = async (name: string, accountSid: string, authToken: string, fake: FakeHttp<any>) => {
    const api = await herald.service(name);
    const res = await api.put('/v1/providers/texts/credentials', {
      type: 'twilio',
      credentials: { accountSid, authToken, from: '+15550000002', baseUrl: fake.url, statusCallbacks: true },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return api;
  };

  const sentSms = async (api: Client, recipient: string) => {
    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: { id: recipient, phone: '+14155552671' },
      channels: ['sms'],
      content: { sms: { text: 'hello' } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return eventually(
      async () => {
        const n = (await api.get(`/v1/notifications/${res.body.id}`)).body;
        const d = n.deliveries?.[0];
        return d?.status === 'sent' ? { ...d, notificationId: n.id as string } : undefined;
      },
      { what: 'the SMS sent' },
    );
  };

  const status = async (api: Client, d: { notificationId: string; id: string }) =>
    (await api.get(`/v1/notifications/${d.notificationId}`)).body.deliveries.find((x: any) => x.id === d.id)
      .status as string;

  const receipt = async (params: Record<string, string>, signature: string) => {
    const res = await fetch(`${herald.herald.url}/v1/receipts/texts`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: await res.json() };
  };

  it("verifies a callback with the token of the service's account that sent the message", async () => {
    const api = await withOwnAccount('OwnTexts', OWN_SID, 'own-auth-token', own);
    await withOwnAccount('OtherTexts', OTHER_SID, 'other-auth-token', other);
    const d = await sentSms(api, 'ann');
    const sid = d.attempts.at(-1).providerMessageId as string;
    assert.match(sid, /^SM/);
    assert.equal(own.requests.length, 1, "sent through the service's own account");
    const url = `${herald.herald.url}/v1/receipts/texts`;
    const params = { MessageSid: sid, MessageStatus: 'delivered', AccountSid: OWN_SID, To: '+14155552671' };

    // Another service's account, claiming to be itself or the sender: refused, nothing changes.
    for (const forged of [
      { ...params, AccountSid: OTHER_SID },
      { ...params, AccountSid: OWN_SID },
    ]) {
      const res = await receipt(forged, signLikeTwilio('other-auth-token', url, forged));
      assert.equal(res.status, 401, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'unauthorized');
    }
    // The right account with a wrong token.
    assert.equal((await receipt(params, signLikeTwilio('not-the-token', url, params))).status, 401);
    assert.equal(await status(api, d), 'sent');

    const ok = await receipt(params, signLikeTwilio('own-auth-token', url, params));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { received: 1, applied: 1, unknown: 0 });
    assert.equal(await status(api, d), 'delivered');
  });

  it("still verifies the operator's account for messages sent with it", async () => {
    const api = await herald.service('OperatorTexts');
    const d = await sentSms(api, 'bob');
    const sid = d.attempts.at(-1).providerMessageId as string;
    const url = `${herald.herald.url}/v1/receipts/texts`;
    const params = { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30005', AccountSid: OP_SID };
    assert.equal((await receipt(params, signLikeTwilio('own-auth-token', url, params))).status, 401);
    const ok = await receipt(params, signLikeTwilio('operator-auth-token', url, params));
    assert.deepEqual(ok.body, { received: 1, applied: 1, unknown: 0 });
    assert.equal(await status(api, d), 'failed');
  });
});
