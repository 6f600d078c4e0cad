/**
 * Status-webhook signing secrets at rest, on real PostgreSQL: with HERALD_SECRET_KEY the stored value
 * is sealed (the raw row never holds the secret), an endpoint made before the key was set is sealed
 * when Herald starts with one, and deliveries to both are still signed with the secret the API gave
 * out — checked by receivers that verify with the independent `standardwebhooks` package.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createSecretBox } from '../../src/adapters/crypto/aes-gcm-secrets.ts';
import { endpointSecrets } from '../../src/adapters/store/webhook-endpoint-secrets.ts';
import type { Herald } from '../../src/main.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { client, eventually, registerService, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

const settings = {
  // The receivers listen on loopback.
  allowPrivateWebhookUrls: true,
  statusWebhooks: { retryScheduleMs: [100, 200, 400], timeoutMs: 2000 },
  worker: { pollMs: 50, sweepMs: 500, leaseMs: 10_000, drainMs: 2000 },
};

describe('status webhook secrets at rest', { skip: skipWithoutPg, timeout: 90_000 }, () => {
  let database: TestDatabase;
  let raw: pg.Client;
  let herald: Herald | undefined;
  const receivers: WebhookReceiver[] = [];

  const start = (secretKey?: string) =>
    startInProcess({
      databaseUrl: database.url,
      config: { ...settings, ...(secretKey ? { secretKey } : {}) },
    });
  const storedSecret = async (id: string) =>
    (await raw.query<{ secret: string }>('select secret from webhook_endpoints where id = $1', [id])).rows[0]
      ?.secret;
  const createEndpoint = async (api: Client, receiver: WebhookReceiver) => {
    const res = await api.post('/v1/webhook-endpoints', { url: receiver.url, events: ['delivery.sent'] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.secret, /^whsec_/);
    receiver.useSecret(res.body.secret);
    return { id: res.body.id as string, secret: res.body.secret as string };
  };

  before(async () => {
    database = await freshDatabase();
    raw = new pg.Client(database.url);
    await raw.connect();
    for (let i = 0; i < 2; i++) receivers.push(await startWebhookReceiver());
  });
  after(async () => {
    await herald?.stop();
    await raw?.end();
    for (const r of receivers) await r.close();
    await database?.drop();
  });

  it('seals secrets under HERALD_SECRET_KEY, older ones included, and still signs with them', async () => {
    const [early, late] = receivers as [WebhookReceiver, WebhookReceiver];

    // Without a key the secret is kept as given (the documented gap), and signing works as before.
    herald = await start();
    const service = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Sealed');
    const before = await createEndpoint(client(herald.url ?? '', service.apiKey), early);
    assert.equal(await storedSecret(before.id), before.secret);
    await herald.stop();

    // With a key: the older row is sealed at start, and a new one is sealed when written.
    herald = await start(randomBytes(32).toString('base64'));
    const api = client(herald.url ?? '', service.apiKey);
    const made = await createEndpoint(api, late);
    for (const { id, secret } of [before, made]) {
      const stored = (await storedSecret(id)) ?? '';
      assert.notEqual(stored, secret);
      assert.ok(!stored.includes(secret.slice('whsec_'.length)), 'the key bytes are not in the row');
      assert.match(stored, /^v1\./);
      assert.equal((await api.get(`/v1/webhook-endpoints/${id}`)).body.secret, undefined);
    }
    const listed = (await api.get('/v1/webhook-endpoints')).body.data as Record<string, unknown>[];
    assert.ok(listed.every((e) => !('secret' in e)));

    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: { id: 'r-sealed' },
      channels: ['in_app'],
      content: { in_app: { title: 'Shipped', body: 'On its way' } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    for (const r of [early, late])
      await eventually(async () => r.receipts.length > 0 || r.badSignatures > 0, {
        what: 'the status event at each endpoint',
      });
    for (const r of [early, late]) {
      assert.equal(r.badSignatures, 0, 'every request verified with the secret from the API');
      assert.equal(r.receipts[0]?.body.type, 'delivery.sent');
      assert.equal(r.receipts[0]?.body.data.notificationId, res.body.id);
    }
  });

  it('opens a sealed secret only with the key and the endpoint it was sealed for', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = endpointSecrets(box).seal('svc', 'ep-1', 'whsec_abc');
    assert.equal(endpointSecrets(box).open('svc', 'ep-1', sealed), 'whsec_abc');
    assert.equal(endpointSecrets(box).open('svc', 'ep-2', sealed), null, 'copied to another endpoint');
    assert.equal(endpointSecrets(createSecretBox(randomBytes(32))).open('svc', 'ep-1', sealed), null);
    assert.equal(endpointSecrets(undefined).open('svc', 'ep-1', sealed), null, 'no key');
    assert.equal(endpointSecrets(undefined).open('svc', 'ep-1', 'whsec_abc'), 'whsec_abc');
  });
});
