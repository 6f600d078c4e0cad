/**
 * Cached metadata across processes: two `herald api` processes on one PostgreSQL. What one changes
 * (a key revoked, a type's default channels, a template saved) the other sees; a change that never
 * announced itself (made straight in the database) is seen once the cache's bound has passed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { client, eventually, registerService, type Client } from '../helpers/api.ts';
import { startHeraldProcess, type HeraldProcess } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

const ADMIN = 'test-admin-token-0123456789';

describe('metadata cached in each API process', { skip: skipWithoutPg }, () => {
  let database: TestDatabase;
  let a: HeraldProcess;
  let b: HeraldProcess;
  let apiKey: string;
  let onA: Client;
  let onB: Client;

  before(async () => {
    database = await freshDatabase();
    const env = { DATABASE_URL: database.url, HERALD_ADMIN_TOKEN: ADMIN };
    a = await startHeraldProcess('api', env);
    b = await startHeraldProcess('api', env);
    apiKey = (await registerService(client(a.url, ADMIN))).apiKey;
    onA = client(a.url, apiKey);
    onB = client(b.url, apiKey);
    assert.equal((await onA.put('/v1/recipients/ann', { email: 'ann@example.com' })).status, 201);
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  const statusOf = async (api: Client, body: Record<string, unknown>) =>
    (await api.post('/v1/notifications', { type: 'order_shipped', recipient: 'ann', ...body })).status;

  it('sees a template saved through the other process', async () => {
    // B reads (and keeps) "no stored templates" for this type.
    assert.equal(await statusOf(onB, { channels: ['email'] }), 422);
    const saved = await onA.put('/v1/notification-types/order_shipped/templates/email/default', {
      subject: 'Shipped',
      text: 'Your order shipped.',
    });
    assert.equal(saved.status, 201);
    await eventually(async () => (await statusOf(onB, { channels: ['email'] })) === 202, {
      what: 'B to accept with the stored template',
    });
  });

  it("sees a type's new default channels set through the other process", async () => {
    assert.equal(await statusOf(onB, {}), 422, 'no default channels yet');
    const put = await onA.put('/v1/notification-types/order_shipped', { defaultChannels: ['email'] });
    assert.equal(put.status, 200);
    await eventually(async () => (await statusOf(onB, {})) === 202, {
      what: "B to use the type's default channels",
    });
  });

  it('refuses a key revoked through the other process', async () => {
    const made = await onA.post('/v1/api-keys', { label: 'to revoke' });
    assert.equal(made.status, 201);
    const withKey = client(b.url, made.body.apiKey as string);
    assert.equal((await withKey.get('/v1/service')).status, 200);
    assert.equal((await onA.delete(`/v1/api-keys/${made.body.id as string}`)).status, 204);
    await eventually(async () => (await withKey.get('/v1/service')).status === 401, {
      what: 'B to refuse the revoked key',
    });
    const refused = await withKey.post('/v1/notifications', {
      type: 'order_shipped',
      recipient: 'ann',
      channels: ['email'],
    });
    assert.equal(refused.status, 401);
  });

  it('refuses a key revoked where no process heard of it, once the staleness bound has passed', async () => {
    const made = await onA.post('/v1/api-keys', { label: 'revoked behind its back' });
    const withKey = client(b.url, made.body.apiKey as string);
    assert.equal((await withKey.get('/v1/service')).status, 200);
    const c = new pg.Client(database.url);
    await c.connect();
    try {
      await c.query('update api_keys set revoked_at = now() where id = $1', [made.body.id]);
    } finally {
      await c.end();
    }
    await eventually(async () => (await withKey.get('/v1/service')).status === 401, {
      what: 'B to refuse the key revoked in the database',
      timeoutMs: 10_000,
    });
  });
});
