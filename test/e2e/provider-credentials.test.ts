/**
 * Per-service provider credentials over the API of a real `herald start` on PostgreSQL: validated per
 * provider type, stored sealed with HERALD_SECRET_KEY, never returned.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createSecretBox, parseSecretKey } from '../../src/adapters/crypto/aes-gcm-secrets.ts';
import { client, registerService, type Client } from '../helpers/api.ts';
import { startHeraldProcess, type HeraldProcess } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

const ADMIN = 'admin-token-for-credentials-test';
const SECRET_KEY = randomBytes(32).toString('base64');

describe('provider credentials API', { skip: skipWithoutPg, timeout: 60_000 }, () => {
  let db: TestDatabase;
  let herald: HeraldProcess;
  let api: Client;
  let other: Client;
  let serviceId: string;

  before(async () => {
    db = await freshDatabase();
    herald = await startHeraldProcess('start', {
      DATABASE_URL: db.url,
      HERALD_ADMIN_TOKEN: ADMIN,
      HERALD_SECRET_KEY: SECRET_KEY,
    });
    const admin = client(herald.url, ADMIN);
    const service = await registerService(admin, 'Acme');
    serviceId = service.id;
    api = client(herald.url, service.apiKey);
    other = client(herald.url, (await registerService(admin, 'Other')).apiKey);
  });
  after(async () => {
    await herald?.stop();
    await db?.drop();
  });

  it('stores SendGrid credentials encrypted and answers without the secret', async () => {
    const res = await api.put('/v1/providers/sendgrid/credentials', {
      type: 'sendgrid',
      credentials: { apiKey: 'SG.very-secret-key', from: 'noreply@acme.test' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body).sort(), ['createdAt', 'provider', 'type', 'updatedAt']);
    assert.equal(res.body.type, 'sendgrid');

    const list = await api.get('/v1/providers/credentials');
    assert.equal(list.status, 200);
    assert.equal(list.body.data.length, 1);
    assert.ok(!JSON.stringify(list.body).includes('very-secret'));
    assert.deepEqual(
      (await other.get('/v1/providers/credentials')).body.data,
      [],
      'other services see nothing',
    );

    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query('select ciphertext from provider_credentials where service_id = $1', [
        serviceId,
      ]);
      const sealed = rows[0].ciphertext as string;
      assert.ok(!sealed.includes('very-secret'), 'the database holds no plaintext');
      const box = createSecretBox(parseSecretKey(SECRET_KEY));
      const plain = JSON.parse(box.open(sealed, `herald:provider-credentials:${serviceId}:sendgrid`));
      assert.equal(plain.apiKey, 'SG.very-secret-key');
    } finally {
      await c.end();
    }
  });

  it('validates credentials against the provider type', async () => {
    const res = await api.put('/v1/providers/twilio/credentials', {
      type: 'twilio',
      credentials: { accountSid: 'nope' },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'validation_failed');
    assert.ok(Array.isArray(res.body.error.details) && res.body.error.details.length > 0);
    const unknownType = await api.put('/v1/providers/x/credentials', {
      type: 'carrier-pigeon',
      credentials: {},
    });
    assert.equal(unknownType.status, 422);
  });

  it('deletes, then 404s, and refuses callers without a key', async () => {
    assert.equal((await api.delete('/v1/providers/sendgrid/credentials')).status, 204);
    const again = await api.delete('/v1/providers/sendgrid/credentials');
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'not_found');
    assert.equal((await client(herald.url).get('/v1/providers/credentials')).status, 401);
  });
});
