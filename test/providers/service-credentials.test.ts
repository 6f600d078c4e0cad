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
import { expectRetried, expectSent } from './expect.ts';

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
