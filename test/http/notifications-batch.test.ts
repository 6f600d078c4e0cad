/**
 * POST /v1/notifications/batch through the public API on real PostgreSQL: a result per item in
 * request order; a bad item refuses only itself and writes nothing; idempotency per item, within one
 * batch and across batches; the envelope itself (size, auth) is still checked as a whole.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

describe('POST /v1/notifications/batch', { skip: skipWithoutPg }, () => {
  let herald: InProcess;
  let api: Client & { id: string };

  before(async () => {
    herald = await startInProcess({}, { api: true, worker: false });
    api = await herald.service();
    assert.equal((await api.put('/v1/recipients/ann', { email: 'ann@example.com' })).status, 201);
  });

  after(async () => {
    await herald?.stop();
  });

  const query = async <T extends pg.QueryResultRow>(text: string, values: unknown[]) => {
    const c = new pg.Client(herald.database.url);
    await c.connect();
    try {
      return (await c.query<T>(text, values)).rows;
    } finally {
      await c.end();
    }
  };
  const email = (subject: string, extra: Record<string, unknown> = {}) => ({
    type: 'order_shipped',
    recipient: 'ann',
    channels: ['email'],
    content: { email: { subject, text: 'hello' } },
    ...extra,
  });

  it('answers every item in order; bad items refuse only themselves and write nothing', async () => {
    const res = await api.post('/v1/notifications/batch', {
      notifications: [
        email('one'),
        { ...email('bad schema'), colour: 'red' },
        email('unknown type', { type: 'no_such_type' }),
        email('unknown recipient', { recipient: 'nobody' }),
        email('inline', { recipient: { id: 'bea', email: 'bea@example.com' } }),
        // Refused (no email address), so its inline recipient must not be created either.
        email('no address', { recipient: { id: 'cy', phone: '+14155552671' } }),
        email('two'),
      ],
    });
    assert.equal(res.status, 200);
    const results = res.body.results as { status: number; id?: string; error?: { code: string } }[];
    assert.deepEqual(
      results.map((r) => [r.status, r.error?.code ?? null]),
      [
        [202, null],
        [422, 'validation_failed'],
        [422, 'unknown_notification_type'],
        [422, 'unknown_recipient'],
        [202, null],
        [422, 'recipient_missing_address'],
        [202, null],
      ],
    );
    const ids = results.flatMap((r) => (r.id ? [r.id] : []));
    const stored = await query<{ id: string; recipient_id: string }>(
      'select id, recipient_id from notifications where service_id = $1 order by id',
      [api.id],
    );
    assert.deepEqual(stored.map((r) => r.id).sort(), [...ids].sort());
    const recipients = await query<{ id: string; email: string | null }>(
      'select id, email from recipients where service_id = $1 order by id',
      [api.id],
    );
    assert.deepEqual(recipients, [
      { id: 'ann', email: 'ann@example.com' },
      { id: 'bea', email: 'bea@example.com' },
    ]);
    const view = await api.get(`/v1/notifications/${ids[1] ?? ''}`);
    assert.equal(view.status, 200);
    assert.equal(view.body.recipient, 'bea');
  });

  it('reads a recipient named inline only when its stored fields decide, and makes new ones with their items', async () => {
    const res = await api.post('/v1/notifications/batch', {
      notifications: [
        // In-app needs no stored field: not read, and made by the insert.
        {
          type: 'order_shipped',
          recipient: { id: 'dee' },
          channels: ['in_app'],
          content: { in_app: { title: 'hi', body: 'there' } },
        },
        // Email without an inline address: ann's stored one is read and used.
        email('stored address', { recipient: { id: 'ann' } }),
        // Nothing stored and no address given: refused, and eve is not made.
        email('nobody stored', { recipient: { id: 'eve' } }),
      ],
    });
    assert.equal(res.status, 200);
    const results = res.body.results as { status: number; error?: { code: string } }[];
    assert.deepEqual(
      results.map((r) => [r.status, r.error?.code ?? null]),
      [
        [202, null],
        [202, null],
        [422, 'recipient_missing_address'],
      ],
    );
    const recipients = await query<{ id: string; email: string | null }>(
      "select id, email from recipients where service_id = $1 and id in ('ann', 'dee', 'eve') order by id",
      [api.id],
    );
    assert.deepEqual(recipients, [
      { id: 'ann', email: 'ann@example.com' },
      { id: 'dee', email: null },
    ]);
  });

  it('keeps idempotency per item: within one batch and across batches', async () => {
    const first = await api.post('/v1/notifications/batch', {
      notifications: [
        email('a', { idempotencyKey: 'k-a' }),
        email('a', { idempotencyKey: 'k-a' }),
        email('other body', { idempotencyKey: 'k-a' }),
        email('b', { idempotencyKey: 'k-b' }),
      ],
    });
    assert.equal(first.status, 200);
    const [a1, a2, clash, b] = first.body.results as {
      status: number;
      id?: string;
      replayed?: boolean;
      error?: { code: string };
    }[];
    assert.equal(a1?.status, 202);
    assert.equal(a1?.replayed, false);
    assert.deepEqual([a2?.status, a2?.id, a2?.replayed], [202, a1?.id, true]);
    assert.deepEqual([clash?.status, clash?.error?.code], [409, 'idempotency_conflict']);
    assert.equal(b?.replayed, false);

    const again = await api.post('/v1/notifications/batch', {
      notifications: [email('b', { idempotencyKey: 'k-b' }), email('changed', { idempotencyKey: 'k-a' })],
    });
    const [b2, a3] = again.body.results as { status: number; id?: string; replayed?: boolean }[];
    assert.deepEqual([b2?.status, b2?.id, b2?.replayed], [202, b?.id, true]);
    assert.equal(a3?.status, 409);
    // The single endpoint sees the same keys.
    const single = await api.post('/v1/notifications', email('a'), { 'idempotency-key': 'k-a' });
    assert.deepEqual([single.status, single.body.id], [202, a1?.id]);
    const rows = await query<{ n: string }>(
      "select count(*) as n from notifications where service_id = $1 and idempotency_key in ('k-a', 'k-b')",
      [api.id],
    );
    assert.equal(Number(rows[0]?.n), 2);
  });

  it('stores keys and recipient ids exactly, whatever characters they hold', async () => {
    // Array parameters are written as PostgreSQL array literals: quotes, backslashes, commas, braces,
    // spaces and the word NULL must all come back as they were sent.
    const odd = ['q"uote', 'back\\slash', 'a,b', '{braces}', 'NULL', ' spaced ', 'ünï ✓', '\\"'];
    // Recipient ids hold no white space.
    const rid = (s: string) => `r${s.replaceAll(' ', '')}`;
    const items = odd.map((s) => ({
      type: 'order_shipped',
      recipient: { id: rid(s) },
      channels: ['webhook'],
      content: { webhook: { url: 'http://127.0.0.1:9/hook', payload: { s } } },
      idempotencyKey: `k${s}`,
    }));
    const res = await api.post('/v1/notifications/batch', { notifications: items });
    assert.equal(res.status, 200);
    const results = res.body.results as { status: number; id: string; replayed: boolean }[];
    assert.deepEqual(
      results.map((r) => [r.status, r.replayed]),
      odd.map(() => [202, false]),
    );
    const rows = await query<{ id: string; idempotency_key: string; recipient_id: string }>(
      'select id, idempotency_key, recipient_id from notifications where id = any($1::uuid[])',
      [results.map((r) => r.id)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    results.forEach((r, i) => {
      assert.equal(byId.get(r.id)?.idempotency_key, `k${odd[i]}`);
      assert.equal(byId.get(r.id)?.recipient_id, rid(odd[i] ?? ''));
    });
    const made = await query<{ id: string }>(
      'select id from recipients where service_id = $1 and id = any($2::text[]) order by id',
      [api.id, odd.map(rid)],
    );
    assert.equal(made.length, odd.length);
    // And the keys replay.
    const again = await api.post('/v1/notifications/batch', { notifications: items });
    assert.deepEqual(
      (again.body.results as { id: string; replayed: boolean }[]).map((r) => [r.id, r.replayed]),
      results.map((r) => [r.id, true]),
    );
  });

  it('checks the envelope as a whole: size and authentication', async () => {
    const tooMany = await api.post('/v1/notifications/batch', {
      notifications: Array.from({ length: 1001 }, (_, i) => email(`n${i}`)),
    });
    assert.equal(tooMany.status, 422);
    assert.equal(tooMany.body.error.code, 'validation_failed');
    const empty = await api.post('/v1/notifications/batch', { notifications: [] });
    assert.equal(empty.status, 422);
    const anonymous = await fetch(`${herald.herald.url ?? ''}/v1/notifications/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ notifications: [email('x')] }),
    });
    assert.equal(anonymous.status, 401);
  });

  it('takes a full batch of 1,000 in one call', async () => {
    const res = await api.post('/v1/notifications/batch', {
      notifications: Array.from({ length: 1000 }, (_, i) => email(`bulk ${i}`, { data: { i } })),
    });
    assert.equal(res.status, 200);
    const results = res.body.results as { status: number; id: string }[];
    assert.equal(results.length, 1000);
    assert.ok(results.every((r) => r.status === 202));
    assert.equal(new Set(results.map((r) => r.id)).size, 1000);
  });
});
