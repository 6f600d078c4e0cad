/**
 * Bad input gets the right status and a JSON error with a stable code, and writes nothing;
 * one service never sees another's data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import type { Herald } from '../../src/main.ts';

function assertError(res: { status: number; body: any }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(typeof res.body?.error?.message, 'string', JSON.stringify(res.body));
  assert.equal(res.body.error.code, code, JSON.stringify(res.body));
  // The README's promise: `details` is always there, null or an object (a list, for field errors).
  assert.ok('details' in res.body.error, `no details: ${JSON.stringify(res.body)}`);
  const { details } = res.body.error;
  assert.ok(details === null || typeof details === 'object', `details: ${JSON.stringify(details)}`);
}

describe('HTTP API: errors and tenant isolation', () => {
  let herald: Herald;
  let admin: Client;
  let a: Client;
  let b: Client;
  let anon: Client;
  const counts = async () => {
    // The worker writes deliveries when it plans an accepted notification: wait until it has planned
    // everything, so that a change in the counts can only come from the request under test.
    await eventually(
      async () => {
        const { rows: pending } = await sql<{ n: number }>`
          select count(*)::int as n from notifications where plan_status in ('pending', 'planning')`.execute(
          herald.db,
        );
        return pending[0]?.n === 0;
      },
      { what: 'the worker to plan what was accepted' },
    );
    const { rows } = await sql<{ t: string; n: number }>`
      select 'notifications' as t, count(*)::int as n from notifications
      union all select 'deliveries', count(*)::int from deliveries
      union all select 'recipients', count(*)::int from recipients
      union all select 'services', count(*)::int from services`.execute(herald.db);
    return Object.fromEntries(rows.map((r) => [r.t, r.n]));
  };
  const email = (extra: Record<string, unknown> = {}) => ({
    type: 'order_shipped',
    recipient: 'ann',
    channels: ['email'],
    data: { order_id: 'A1' },
    content: { email: { subject: 'Order {{ order_id }}', text: 'Shipped' } },
    ...extra,
  });

  before(async () => {
    herald = await startInProcess();
    admin = client(herald.url ?? '', TEST_ADMIN_TOKEN);
    anon = client(herald.url ?? '');
    a = client(herald.url ?? '', (await registerService(admin, 'A')).apiKey);
    b = client(herald.url ?? '', (await registerService(admin, 'B')).apiKey);
    assert.equal((await a.put('/v1/recipients/ann', { email: 'ann@example.com' })).status, 201);
  });
  after(async () => herald?.stop());

  it('registers a service with a one-time key of the documented shape', async () => {
    const res = await admin.post('/v1/services', {
      name: 'Acme',
      notificationTypes: [{ key: 'order_shipped', description: 'Order shipped' }],
    });
    assert.equal(res.status, 201);
    assert.match(res.body.apiKey, /^hk_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    assert.equal(res.body.name, 'Acme');
    assert.deepEqual(res.body.notificationTypes, [{ key: 'order_shipped', description: 'Order shipped' }]);
    const keys = await client(herald.url ?? '', res.body.apiKey).get('/v1/api-keys');
    assert.equal(keys.status, 200);
    assert.equal(keys.body.data.length, 1);
    assert.equal(
      JSON.stringify(keys.body).includes(res.body.apiKey.slice(20)),
      false,
      'the secret is never shown again',
    );
  });

  it('requires the admin token to register services', async () => {
    assertError(await anon.post('/v1/services', { name: 'X' }), 401, 'unauthorized');
    assertError(
      await client(herald.url ?? '', 'wrong-token').post('/v1/services', { name: 'X' }),
      401,
      'unauthorized',
    );
    assertError(await admin.post('/v1/services', { name: '' }), 422, 'validation_failed');
    assertError(
      await admin.post('/v1/services', {
        name: 'X',
        notificationTypes: [
          { key: 'a', description: '' },
          { key: 'a', description: '' },
        ],
      }),
      409,
      'already_exists',
    );
  });

  it('answers 401 for missing, malformed, unknown and revoked keys', async () => {
    assertError(await anon.get('/v1/recipients/ann'), 401, 'unauthorized');
    assertError(await client(herald.url ?? '', 'hk_nope').get('/v1/recipients/ann'), 401, 'unauthorized');
    assertError(
      await client(herald.url ?? '', `hk_${'a'.repeat(16)}_${'b'.repeat(43)}`).get('/v1/recipients/ann'),
      401,
      'unauthorized',
    );
    const made = await a.post('/v1/api-keys', { label: 'temp' });
    assert.equal(made.status, 201);
    const temp = client(herald.url ?? '', made.body.apiKey);
    assert.equal((await temp.get('/v1/recipients/ann')).status, 200);
    assert.equal((await a.delete(`/v1/api-keys/${made.body.id}`)).status, 204);
    assertError(await temp.get('/v1/recipients/ann'), 401, 'unauthorized');
  });

  it("keeps each service's data to itself: another service's ids answer 404", async () => {
    const sent = await a.post('/v1/notifications', email());
    assert.equal(sent.status, 202);
    await waitForNotification(a, sent.body.id);
    assertError(await b.get(`/v1/notifications/${sent.body.id}`), 404, 'not_found');
    assertError(await b.get('/v1/recipients/ann'), 404, 'not_found');
    // B cannot address A's recipient either: for B it does not exist.
    assertError(await b.post('/v1/notifications', email()), 422, 'unknown_recipient');
    assertError(await b.post('/v1/services', { name: 'B2' }), 401, 'unauthorized');
    const keysOfA = await a.get('/v1/api-keys');
    assertError(await b.delete(`/v1/api-keys/${keysOfA.body.data[0].id}`), 404, 'not_found');
    assert.equal((await a.get('/v1/recipients/ann')).status, 200, 'A still works');
    const outboxB = await b.get('/v1/outbox');
    assert.deepEqual(outboxB.body.data, []);
  });

  it('rejects bad input with the right status and code, writing nothing', async () => {
    const before = await counts();
    const raw = (body: string, type = 'application/json') =>
      a.post('/v1/notifications', body, { 'content-type': type });
    assertError(await raw('{"type": "order_shipped",'), 400, 'malformed_request');
    assertError(
      await raw('type=order_shipped', 'application/x-www-form-urlencoded'),
      415,
      'unsupported_media_type',
    );
    assertError(await a.post('/v1/notifications', email({ channels: [] })), 422, 'validation_failed');
    assertError(await a.post('/v1/notifications', email({ channels: ['pigeon'] })), 422, 'validation_failed');
    assertError(await a.post('/v1/notifications', email({ surprise: 1 })), 422, 'validation_failed');
    assertError(await a.post('/v1/notifications', email({ type: 'nope' })), 422, 'unknown_notification_type');
    assertError(await a.post('/v1/notifications', email({ recipient: 'ghost' })), 422, 'unknown_recipient');
    assertError(
      await a.post('/v1/notifications', email({ channels: ['sms'], content: { sms: { text: 'x' } } })),
      422,
      'recipient_missing_address',
    );
    assertError(await a.post('/v1/notifications', email({ content: {} })), 422, 'missing_content');
    const syntax = await a.post(
      '/v1/notifications',
      email({ content: { email: { subject: 'Hi {{ name', text: 'x' } } }),
    );
    assertError(syntax, 422, 'template_syntax_error');
    assert.equal(syntax.body.error.details.field, 'content.email.subject');
    assert.equal(syntax.body.error.details.line, 1);
    assertError(
      await a.post('/v1/notifications', email({ data: { blob: 'x'.repeat(600 * 1024) } })),
      413,
      'payload_too_large',
    );
    // An inline recipient with a bad address is refused before anything is written.
    assertError(
      await a.post('/v1/notifications', email({ recipient: { id: 'newbie', email: 'not-an-email' } })),
      422,
      'validation_failed',
    );
    assert.deepEqual(await counts(), before);
  });

  it('changes no recipient when a notification with an inline recipient is refused', async () => {
    const before = await counts();
    const ann = (await a.get('/v1/recipients/ann')).body;
    // A new recipient without the channel's address: refused, and not created.
    assertError(
      await a.post('/v1/notifications', email({ recipient: { id: 'newbie', phone: '+33612345678' } })),
      422,
      'recipient_missing_address',
    );
    // An existing recipient the request would strip of its address: refused, and left as it was.
    assertError(
      await a.post(
        '/v1/notifications',
        email({ recipient: { id: 'ann', email: null, attributes: { tier: 'gold' } } }),
      ),
      422,
      'recipient_missing_address',
    );
    assert.deepEqual(await counts(), before);
    assert.deepEqual((await a.get('/v1/recipients/ann')).body, ann);
    assert.equal((await a.get('/v1/recipients/newbie')).status, 404);

    // Accepted, the inline fields are written with the notification; an idempotency key reused with
    // other fields is refused (409) and writes nothing either.
    const first = await a.post(
      '/v1/notifications',
      email({
        recipient: { id: 'ann', email: 'ann@example.com', attributes: { tier: 'silver' } },
        idempotencyKey: 'inline-1',
      }),
    );
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const accepted = (await a.get('/v1/recipients/ann')).body;
    assert.deepEqual(accepted.attributes, { tier: 'silver' });
    assertError(
      await a.post(
        '/v1/notifications',
        email({
          recipient: { id: 'ann', email: 'ann@example.com', attributes: { tier: 'gold' } },
          idempotencyKey: 'inline-1',
        }),
      ),
      409,
      'idempotency_conflict',
    );
    assert.deepEqual((await a.get('/v1/recipients/ann')).body, accepted);
    assert.equal((await counts()).recipients, before.recipients);
  });

  it('validates recipients: email, E.164 phone, IANA time zone, locale', async () => {
    const before = await counts();
    for (const body of [
      { email: 'nope' },
      { phone: '0612345678' },
      { phone: '+1234' },
      { timezone: 'Mars/Olympus' },
      { timezone: '+05:00' },
      { locale: 'not a locale!' },
      { attributes: 'x' },
      { nickname: 'extra field' },
    ]) {
      const res = await a.put('/v1/recipients/zed', body);
      assertError(res, 422, 'validation_failed');
      assert.ok(Array.isArray(res.body.error.details) && res.body.error.details.length > 0);
    }
    assert.deepEqual(await counts(), before);
    const ok = await a.put('/v1/recipients/zed', {
      email: 'zed@example.com',
      phone: '+442071838750',
      timezone: 'Asia/Tokyo',
      locale: 'fr-CA',
      attributes: { plan: 'pro' },
    });
    assert.equal(ok.status, 201);
    const cleared = await a.put('/v1/recipients/zed', { phone: null });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.phone, null);
    assert.equal(cleared.body.email, 'zed@example.com', 'fields left out keep their value');
  });

  it("gives Fastify's own refusals the same shape, details included", async () => {
    const base = herald.url ?? '';
    assertError(
      await a.post('/v1/notifications', '', { 'content-type': 'application/json' }),
      400,
      'malformed_request',
    );
    assertError(
      await a.post('/v1/notifications', '[1,', { 'content-type': 'application/json' }),
      400,
      'malformed_request',
    );
    assertError(
      await a.post('/v1/notifications', '<x/>', { 'content-type': 'application/xml' }),
      415,
      'unsupported_media_type',
    );
    assertError(
      await a.post('/v1/notifications', JSON.stringify({ pad: 'x'.repeat(600 * 1024) }), {
        'content-type': 'application/json',
      }),
      413,
      'payload_too_large',
    );
    assertError(await a.get(`/v1/recipients/${'A'.repeat(5000)}`), 414, 'uri_too_long');
    assertError(await a.get('/v1/recipients/%E0%A4%A'), 400, 'malformed_request');
    assertError(await anon.get('/v1/notifications'), 401, 'unauthorized');
    assertError(await a.request('PROPFIND', '/v1/notifications'), 404, 'not_found');
    const raw = await fetch(`${base}/v1/nowhere`, { method: 'DELETE' });
    assert.equal(raw.headers.get('content-type')?.startsWith('application/json'), true);
    assertError({ status: raw.status, body: await raw.json() }, 404, 'not_found');
  });

  it('answers 404 with the JSON body for unknown routes and impossible ids', async () => {
    assertError(await a.get('/v1/nothing-here'), 404, 'not_found');
    assertError(await a.get('/v1/notifications/not-a-uuid'), 404, 'not_found');
    assertError(await a.get('/v1/notifications/01a1fe53-9a74-70ec-9841-ef6c845e1cfe'), 404, 'not_found');
    assertError(await a.get('/v1/recipients/%00'), 404, 'not_found');
  });

  it('refuses an impossible id the caller is creating with 422, naming the path', async () => {
    const before = await counts();
    for (const id of ['%00', 'a%2Fb', '%20', 'x'.repeat(257)]) {
      const res = await a.put(`/v1/recipients/${id}`, { email: 'x@example.com' });
      assertError(res, 422, 'validation_failed');
      assert.equal(res.body.error.details[0].in, 'params', id);
      assert.equal(res.body.error.details[0].path, '/recipientId', id);
    }
    assertError(await a.put('/v1/notification-types/%00', { description: 'x' }), 422, 'validation_failed');
    assert.deepEqual(await counts(), before);
  });

  it('tells a web push subscription with an http endpoint that it must be https', async () => {
    await a.put('/v1/recipients/webby', { email: 'webby@example.com' });
    const res = await a.post('/v1/recipients/webby/devices', {
      platform: 'web',
      endpoint: 'http://push.example.com/send/abc',
      keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) },
    });
    assertError(res, 422, 'validation_failed');
    assert.match(res.body.error.message, /endpoint/);
    assert.match(res.body.error.message, /https/);
    assert.doesNotMatch(JSON.stringify(res.body), /token/);
    // A native device without a token is told about the token, and nothing about endpoints.
    const native = await a.post('/v1/recipients/webby/devices', { platform: 'ios' });
    assertError(native, 422, 'validation_failed');
    assert.match(native.body.error.message, /token/);
    assert.doesNotMatch(JSON.stringify(native.body), /endpoint/);
  });

  it('replays an idempotent request and refuses the same key with another body', async () => {
    const before = await counts();
    const first = await a.post('/v1/notifications', email({ idempotencyKey: 'order-A1' }));
    assert.equal(first.status, 202);
    const again = await a.post('/v1/notifications', email(), { 'idempotency-key': 'order-A1' });
    assert.equal(again.status, 202);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const other = await a.post(
      '/v1/notifications',
      email({ idempotencyKey: 'order-A1', data: { order_id: 'A2' } }),
    );
    assertError(other, 409, 'idempotency_conflict');
    // B may use the same key for its own notification: keys are per service.
    const after = await counts();
    assert.equal(after.notifications, (before.notifications ?? 0) + 1);
  });
});
