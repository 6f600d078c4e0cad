/**
 * URLs in a service's own provider credentials (a regional base URL, FCM's token URL) may not reach
 * the operator's network: they are refused with 422 when saved, and a stored one that resolves inward
 * (saved while its name pointed outward, say) fails the send for good without a connection. The
 * operator's own configuration is trusted: the same loopback fake works as the configured provider.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createSecretBox, parseSecretKey } from '../../src/adapters/crypto/aes-gcm-secrets.ts';
import { createApnsSender } from '../../src/adapters/channels/apns/apns-sender.ts';
import { kyselyProviderCredentials } from '../../src/adapters/store/kysely-provider-credentials.ts';
import { ProviderError } from '../../src/ports/sender.ts';
import { startApnsFake, type ApnsFake } from '../fakes/apns-fake.ts';
import type { FakeHttp } from '../fakes/fake-http.ts';
import { startSendGridFake } from '../fakes/sendgrid-fake.ts';
import { eventually } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

const secretKey = randomBytes(32).toString('base64');

describe("URLs in a service's own credentials", { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let operatorFake: FakeHttp<any>;
  let serviceFake: FakeHttp<any>;
  let herald: InProcess;

  before(async () => {
    operatorFake = await startSendGridFake('SG.operator-key');
    serviceFake = await startSendGridFake('SG.service-key');
    herald = await startInProcess({
      secretKey,
      providers: {
        email: [
          {
            name: 'sg',
            type: 'sendgrid',
            apiKey: 'SG.operator-key',
            from: 'noreply@acme.test',
            baseUrl: operatorFake.url.replace('127.0.0.1', 'localhost'),
            // Opened, so what refuses a private one below is the address check itself.
            serviceUrls: ['baseUrl'],
          },
        ],
      },
    });
  });
  after(async () => {
    await herald?.stop();
    await operatorFake?.close();
    await serviceFake?.close();
  });

  const sendMail = async (api: Awaited<ReturnType<InProcess['service']>>) => {
    const res = await api.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: { id: 'ann', email: 'ann@example.com' },
      channels: ['email'],
      content: { email: { subject: 'Shipped', text: 'On its way' } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return eventually(
      async () => {
        const d = (await api.get(`/v1/notifications/${res.body.id}`)).body.deliveries?.[0];
        return d && ['sent', 'failed', 'dead'].includes(d.status) ? d : undefined;
      },
      { what: 'the email delivery to settle' },
    );
  };

  it('refuses private base and token URLs with 422 and stores nothing', async () => {
    const api = await herald.service('Saver');
    const port = new URL(serviceFake.url).port;
    const serviceAccount = { project_id: 'p', client_email: 'a@b.iam', private_key: 'k'.repeat(40) };
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'sendgrid',
        { apiKey: 'SG.k', from: 'a@b.test', baseUrl: `http://localhost:${port}` },
        '/credentials/baseUrl',
      ],
      [
        'twilio',
        {
          accountSid: `AC${'0'.repeat(32)}`,
          authToken: 't',
          from: '+15550000000',
          baseUrl: 'http://10.0.0.8/',
        },
        '/credentials/baseUrl',
      ],
      [
        'fcm',
        { serviceAccount, tokenUrl: 'http://169.254.169.254/computeMetadata/v1/token' },
        '/credentials/tokenUrl',
      ],
      [
        'fcm',
        { serviceAccount: { ...serviceAccount, token_uri: 'http://127.0.0.1:9/token' } },
        '/credentials/serviceAccount/token_uri',
      ],
      // Files on Herald's host are the operator's to name, never a service's.
      ['fcm', { serviceAccountFile: '/etc/passwd' }, '/credentials'],
      ['apns', { teamId: 'T', keyId: 'K', topic: 'x', privateKeyFile: '/etc/shadow' }, '/credentials'],
    ];
    for (const [type, credentials, path] of cases) {
      const res = await api.put('/v1/providers/sg/credentials', { type, credentials });
      assert.equal(res.status, 422, `${type}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'validation_failed');
      assert.ok(
        res.body.error.details.some((d: { path: string }) => d.path === path),
        JSON.stringify(res.body.error.details),
      );
    }
    // The push-service allow-list is the operator's: a service cannot widen it.
    const pattern = await api.put('/v1/providers/sg/credentials', {
      type: 'webpush',
      credentials: {
        vapidPublicKey: 'x',
        vapidPrivateKey: 'y',
        subject: 'mailto:a@b.test',
        endpointPattern: '.*',
      },
    });
    assert.equal(pattern.status, 422, JSON.stringify(pattern.body));
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from provider_credentials`.execute(
      herald.herald.db,
    );
    assert.equal(rows[0]?.n, 0);
    assert.equal(serviceFake.connections(), 0);
  });

  it("fails a send through a stored private base URL for good, while the operator's own goes through", async () => {
    // The operator's provider on loopback is trusted: a service without credentials sends through it.
    const plain = await herald.service('Plain');
    const sent = await sendMail(plain);
    assert.equal(sent.status, 'sent', JSON.stringify(sent));
    assert.equal(operatorFake.requests.at(-1)?.headers.authorization, 'Bearer SG.operator-key');

    // Stored past the API's check, as if the name had resolved outward when it was saved.
    const own = await herald.service('Own');
    const store = kyselyProviderCredentials(herald.herald.db, createSecretBox(parseSecretKey(secretKey)));
    await store.put(own.id, 'sg', 'sendgrid', {
      apiKey: 'SG.service-key',
      from: 'noreply@own.test',
      baseUrl: serviceFake.url.replace('127.0.0.1', 'localhost'),
    });
    const refused = await sendMail(own);
    assert.equal(refused.status, 'failed', JSON.stringify(refused));
    assert.equal(refused.reason, 'webhook_url_refused');
    assert.equal(refused.attempts.at(-1).outcome, 'permanent');
    assert.equal(serviceFake.connections(), 0, "no connection reached the service's URL");
  });
});

describe('APNs with a refused base URL', { timeout: 30_000 }, () => {
  let fake: ApnsFake;
  before(async () => {
    fake = await startApnsFake();
  });
  after(async () => fake?.close());

  const message = {
    deliveryId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    notificationId: 'n1',
    serviceId: 's1',
    channel: 'push' as const,
    to: 'a'.repeat(64),
    content: { title: 'Hi', body: 'There' },
  };
  const sender = (baseUrl: string, refusePrivate: boolean) =>
    createApnsSender({ name: 'apns', ...fake, baseUrl, refusePrivate, timeoutMs: 5000 });

  it('refuses a loopback literal and a name resolving to loopback, for good, and sends nothing', async () => {
    for (const baseUrl of [fake.url, fake.url.replace('127.0.0.1', 'localhost')]) {
      const s = sender(baseUrl, true);
      await assert.rejects(s.send(message), (err: unknown) => {
        assert.ok(err instanceof ProviderError, String(err));
        assert.equal(err.kind, 'permanent', err.message);
        assert.equal(err.code, 'webhook_url_refused', err.message);
        return true;
      });
      await s.close?.();
    }
    assert.equal(fake.requests.length, 0);
    // The same address is reachable when the URL is the operator's own.
    const trusted = sender(fake.url.replace('127.0.0.1', 'localhost'), false);
    await trusted.send(message);
    await trusted.close?.();
    assert.equal(fake.requests.length, 1);
  });
});
