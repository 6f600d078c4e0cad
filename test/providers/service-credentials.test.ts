/**
 * A service's own provider credentials, stored encrypted in PostgreSQL, used by the lane in place of
 * the configured ones; the SendGrid fake accepts only the service's key, so the test sees which was used.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createSecretBox } from '../../src/adapters/crypto/aes-gcm-secrets.ts';
import { kyselyProviderCredentials } from '../../src/adapters/store/kysely-provider-credentials.ts';
import { createSendGridSender } from '../../src/adapters/channels/sendgrid/sendgrid-sender.ts';
import { withServiceCredentials } from '../../src/app/service-credentials.ts';
import type { ProviderCredentialStore } from '../../src/ports/provider-credentials.ts';
import type { Sender } from '../../src/ports/sender.ts';
import { startSendGridFake } from '../fakes/sendgrid-fake.ts';
import type { FakeHttp } from '../fakes/fake-http.ts';
import { laneHarness, type LaneHarness } from '../helpers/lane.ts';
import { skipWithoutPg } from '../helpers/pg.ts';
import { expectFailed, expectRetried, expectSent } from './expect.ts';

const content = { subject: 'Hi', text: 'Hello' };

describe('per-service provider credentials in the lane', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let fake: FakeHttp<any>;
  let h: LaneHarness;
  let store: ProviderCredentialStore;
  let sender: Sender;

  before(async () => {
    fake = await startSendGridFake('SG.service-own-key');
    h = await laneHarness();
    store = kyselyProviderCredentials(h.database.db, createSecretBox(randomBytes(32)));
    const base = { name: 'sg', from: 'noreply@acme.test', baseUrl: fake.url, timeoutMs: 500 };
    sender = withServiceCredentials({
      sender: createSendGridSender({ ...base, apiKey: 'SG.operator-key' }),
      type: 'sendgrid',
      lookup: (serviceId, name) => store.get(serviceId, name),
      build: (_type, name, own) => createSendGridSender({ ...base, ...(own as { apiKey: string }), name }),
      ttlMs: 0,
    });
  });
  after(async () => {
    await sender?.close?.();
    await h?.close();
    await fake?.close();
  });

  it('uses the configured key when the service has none', async () => {
    expectRetried(
      await h.run(sender, await h.enqueue('email', 'a@b.test', content)),
      'transient',
      'auth_failed',
    );
    assert.equal(fake.requests.at(-1)!.headers.authorization, 'Bearer SG.operator-key');
  });

  it("uses the service's own stored key once it has one", async () => {
    await store.put(h.serviceId, 'sg', 'sendgrid', {
      apiKey: 'SG.service-own-key',
      from: 'noreply@acme.test',
    });
    expectSent(await h.run(sender, await h.enqueue('email', 'a@b.test', content)), 'sg');
    assert.equal(fake.requests.at(-1)!.headers.authorization, 'Bearer SG.service-own-key');
  });

  it("fails for good, as the service's error, when the provider refuses the service's own key", async () => {
    await store.put(h.serviceId, 'sg', 'sendgrid', { apiKey: 'SG.revoked-key', from: 'noreply@acme.test' });
    expectFailed(
      await h.run(sender, await h.enqueue('email', 'a@b.test', content)),
      'service_credentials_rejected',
    );
    assert.equal(fake.requests.at(-1)!.headers.authorization, 'Bearer SG.revoked-key');
  });

  it('refuses stored credentials that fail the check, without building a sender from them', async () => {
    const checked = withServiceCredentials({
      sender: createSendGridSender({
        name: 'sg',
        from: 'x@y.z',
        apiKey: 'SG.operator-key',
        baseUrl: fake.url,
      }),
      type: 'sendgrid',
      lookup: (serviceId, name) => store.get(serviceId, name),
      check: (own) => (typeof own.apiKey === 'string' ? null : '/apiKey is required'),
      build: () => assert.fail('no sender is built from refused credentials'),
      ttlMs: 0,
    });
    await store.put(h.serviceId, 'sg', 'sendgrid', { from: 'noreply@acme.test' });
    const seen = fake.requests.length;
    try {
      expectFailed(
        await h.run(checked, await h.enqueue('email', 'a@b.test', content)),
        'service_credentials_invalid',
      );
    } finally {
      await checked.close?.();
    }
    assert.equal(fake.requests.length, seen, "nothing was sent, with anyone's key");
  });

  it('ignores stored credentials of another provider type', async () => {
    await store.put(h.serviceId, 'sg', 'ses', {
      region: 'eu-west-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      from: 'x@y.z',
    });
    expectRetried(
      await h.run(sender, await h.enqueue('email', 'a@b.test', content)),
      'transient',
      'auth_failed',
    );
    assert.equal(fake.requests.at(-1)!.headers.authorization, 'Bearer SG.operator-key');
  });
});
