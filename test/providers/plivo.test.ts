/**
 * Plivo end to end through Herald's API on PostgreSQL: a service defines a notification type, sends an
 * SMS, and the Plivo fake receives it with the operator's Auth ID and token; then a second service stores its
 * own Plivo credentials and the next SMS reaches its own account's fake with its own token only.
 * Loopback fakes are reached because the test allows private URLs (`allowPrivateWebhookUrls`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FakeHttp } from '../fakes/fake-http.ts';
import { startPlivoFake, type PlivoMessage, type PlivoScenario } from '../fakes/plivo-fake.ts';
import { waitForNotification } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

const OPERATOR = { id: 'MAOPERATOR0000000001', token: 'operator-plivo-token' };
const OWN = { id: 'SASERVICE00000000001', token: 'service-plivo-token' };
const basic = (id: string, token: string) => `Basic ${Buffer.from(`${id}:${token}`).toString('base64')}`;

type PlivoFake = FakeHttp<PlivoScenario> & { messages: PlivoMessage[] };

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
      credentials: { authId: OWN.id, authToken: OWN.token, from: '+14155550199', baseUrl: own.url },
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
  });
});
