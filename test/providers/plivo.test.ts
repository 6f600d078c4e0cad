/**
 * Plivo end to end through Herald's API on PostgreSQL: a service defines a notification type, sends an
 * SMS, and the Plivo fake receives it with the operator's Auth ID and token; then a second service stores its
 * own Plivo credentials and the next SMS reaches its own account's fake with its own token only.
 * Status callbacks come back from the fakes signed as Plivo signs them: wrong or missing signatures are
 * 401 and change nothing; signed ones move the delivery on, a service's own account only its own.
 * Herald's public URL is a proxy's (`https://herald.acme.example`): the fakes sign it and post to
 * Herald's own address. Loopback fakes are reached because the test allows private URLs
 * (`allowPrivateWebhookUrls`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startPlivoFake } from '../fakes/plivo-fake.ts';
import { waitForNotification } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

const OPERATOR = { id: 'MAOPERATOR0000000001', token: 'operator-plivo-token' };
const OWN = { id: 'SASERVICE00000000001', token: 'service-plivo-token' };
const PUBLIC_URL = 'https://herald.acme.example';
const basic = (id: string, token: string) => `Basic ${Buffer.from(`${id}:${token}`).toString('base64')}`;

type PlivoFake = Awaited<ReturnType<typeof startPlivoFake>>;

describe('Plivo SMS through the API', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let operator: PlivoFake;
  let own: PlivoFake;
  let herald: InProcess;
  let api: Awaited<ReturnType<InProcess['service']>>;

  before(async () => {
    operator = await startPlivoFake(OPERATOR.id, OPERATOR.token);
    own = await startPlivoFake(OWN.id, OWN.token);
    herald = await startInProcess({
      secretKey: randomBytes(32).toString('base64'),
      allowPrivateWebhookUrls: true,
      publicUrl: PUBLIC_URL,
      providers: {
        sms: [
          {
            name: 'plivo',
            type: 'plivo',
            authId: OPERATOR.id,
            authToken: OPERATOR.token,
            from: '+14155550100',
            baseUrl: operator.url,
            serviceUrls: ['baseUrl'],
            timeoutMs: 1000,
            statusCallbacks: true,
          },
        ],
      },
    });
    api = await herald.service('Acme');
    const type = await api.put('/v1/notification-types/login_code', {
      description: 'Login codes',
      defaultChannels: ['sms'],
    });
    assert.ok([200, 201].includes(type.status), JSON.stringify(type.body));
    const ann = await api.put('/v1/recipients/ann', { phone: '+33612345678' });
    assert.ok([200, 201].includes(ann.status), JSON.stringify(ann.body));
  });
  after(async () => {
    await herald?.stop();
    await operator?.close();
    await own?.close();
  });

  const send = async (text: string, as = api) => {
    const res = await as.post('/v1/notifications', {
      type: 'login_code',
      recipient: 'ann',
      channels: ['sms'],
      content: { sms: { text } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return waitForNotification(as, res.body.id);
  };

  it("delivers with the operator's account: JSON body, basic auth, Plivo's message uuid kept", async () => {
    const n = await send('Your code is 1234');
    const [d] = n.deliveries;
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.equal(d.provider, 'plivo');
    assert.equal(operator.messages.length, 1);
    const req = operator.requests.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, `/v1/Account/${OPERATOR.id}/Message/`);
    assert.equal(req.headers['authorization'], basic(OPERATOR.id, OPERATOR.token));
    assert.deepEqual(operator.messages[0], {
      src: '+14155550100',
      dst: '+33612345678',
      text: 'Your code is 1234',
      type: 'sms',
      url: `${PUBLIC_URL}/v1/receipts/plivo`,
      method: 'POST',
    });
    assert.equal(own.requests.length, 0);
  });

  it('retries a 500 from Plivo, then sends', async () => {
    operator.answer('server_error');
    const before = operator.messages.length;
    const n = await send('Second code 5678');
    const [d] = n.deliveries;
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.equal(d.attempts[0].outcome, 'transient', JSON.stringify(d.attempts));
    assert.equal(operator.messages.length, before + 1);
  });

  /** The delivery as the API shows it now. */
  const current = async (as: typeof api, n: { id: string }) =>
    (await as.get(`/v1/notifications/${n.id}`)).body.deliveries[0];

  it('status callbacks: unsigned, forged or altered ones are 401 and change nothing; a signed one marks delivered', async () => {
    const n = await send('Receipt code 4321');
    const uuid = n.deliveries[0].attempts.at(-1).providerMessageId;
    const via = herald.herald.url;
    const refused = [
      await operator.statusCallback(uuid, 'delivered', { via, signatures: 'none' }),
      await operator.statusCallback(uuid, 'delivered', { via, token: 'wrong-token' }),
      await operator.statusCallback(uuid, 'delivered', { via, token: 'wrong-token', signatures: 'v2' }),
      // Signed for "undelivered", sent as "delivered": V3 covers the body.
      await operator.statusCallback(uuid, 'delivered', {
        via,
        signatures: 'v3',
        signedFields: { MessageUUID: uuid, Status: 'undelivered' },
      }),
    ];
    assert.deepEqual(
      refused.map((r) => [r.status, r.body.error?.code]),
      Array(4).fill([401, 'unauthorized']),
    );
    assert.equal((await current(api, n)).status, 'sent');

    const queued = await operator.statusCallback(uuid, 'queued', { via });
    assert.deepEqual(queued.body, { received: 0, applied: 0, unknown: 0 });
    const ok = await operator.statusCallback(uuid, 'delivered', { via, fields: { ErrorCode: '000' } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { received: 1, applied: 1, unknown: 0 });
    assert.equal((await current(api, n)).status, 'delivered');
  });

  it('status callbacks signed with V2 only are heard: undelivered marks failed with the error code', async () => {
    const n = await send('Receipt code 8765');
    const uuid = n.deliveries[0].attempts.at(-1).providerMessageId;
    const res = await operator.statusCallback(uuid, 'undelivered', {
      via: herald.herald.url,
      signatures: 'v2',
      fields: { ErrorCode: '300' },
    });
    assert.deepEqual(res.body, { received: 1, applied: 1, unknown: 0 });
    const d = await current(api, n);
    assert.equal(d.status, 'failed');
    assert.equal(d.reason, 'plivo_undelivered_300');
  });

  it("sends with the service's own Plivo credentials, never the operator's token", async () => {
    // A fresh service: senders are kept per service for up to a minute (app/service-credentials.ts).
    const service = await herald.service('Own account');
    assert.ok([200, 201].includes((await service.put('/v1/notification-types/login_code', {})).status));
    assert.ok(
      [200, 201].includes((await service.put('/v1/recipients/ann', { phone: '+33612345678' })).status),
    );
    const refused = await service.put('/v1/providers/plivo/credentials', {
      type: 'plivo',
      credentials: { authId: OWN.id, from: '+14155550199', baseUrl: own.url },
    });
    assert.equal(refused.status, 422, 'the auth token is required');
    const stored = await service.put('/v1/providers/plivo/credentials', {
      type: 'plivo',
      credentials: {
        authId: OWN.id,
        authToken: OWN.token,
        from: '+14155550199',
        baseUrl: own.url,
        statusCallbacks: true,
      },
    });
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.ok(!JSON.stringify(stored.body).includes(OWN.token));

    const n = await send('Own account code 9999', service);
    assert.equal(n.deliveries[0].status, 'sent', JSON.stringify(n.deliveries));
    assert.equal(own.messages.length, 1);
    assert.equal(own.messages[0]?.src, '+14155550199');
    const req = own.requests.at(-1)!;
    assert.equal(req.path, `/v1/Account/${OWN.id}/Message/`);
    assert.equal(req.headers['authorization'], basic(OWN.id, OWN.token));
    assert.ok(!JSON.stringify(own.requests).includes(OPERATOR.token));

    // Its callbacks come signed by its own account, and may change its own deliveries only.
    const uuid = n.deliveries[0].attempts.at(-1).providerMessageId;
    const via = herald.herald.url;
    const theirs = await send('Operator code 1111');
    const other = await own.statusCallback(uuid, 'delivered', {
      via,
      fields: { MessageUUID: theirs.deliveries[0].attempts.at(-1).providerMessageId },
    });
    assert.equal(other.status, 401, "its token is not tried for another service's message");
    const ok = await own.statusCallback(uuid, 'delivered', { via });
    assert.deepEqual(ok.body, { received: 1, applied: 1, unknown: 0 });
    assert.equal((await current(service, n)).status, 'delivered');
  });
});
