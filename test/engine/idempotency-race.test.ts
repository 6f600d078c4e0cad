/**
 * Idempotency under a race, on real PostgreSQL: many identical requests with one key at the same
 * moment create exactly one notification and all get its id; a later replay answers the same; the
 * same key with another body is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Client } from '../helpers/api.ts';
import { startInProcess, type InProcess } from '../helpers/in-process-pg.ts';
import { skipWithoutPg } from '../helpers/pg.ts';

describe('idempotency under concurrent duplicates', { skip: skipWithoutPg }, () => {
  let herald: InProcess;
  let api: Client & { id: string };

  before(async () => {
    herald = await startInProcess({}, { api: true, worker: false });
    api = await herald.service();
  });

  after(async () => {
    await herald?.stop();
  });

  const body = (subject: string) => ({
    type: 'order_shipped',
    recipient: { id: 'ann', email: 'ann@example.com' },
    channels: ['email'],
    content: { email: { subject, text: 'hello' } },
  });

  const countRows = async (key: string) => {
    const c = new pg.Client(herald.database.url);
    await c.connect();
    try {
      const { rows } = await c.query<{ n: string }>(
        'select count(*) as n from notifications where service_id = $1 and idempotency_key = $2',
        [api.id, key],
      );
      return Number(rows[0]?.n);
    } finally {
      await c.end();
    }
  };

  it('creates one notification for 30 racing requests with the same key and body', async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, () =>
        api.post('/v1/notifications', body('hi'), { 'idempotency-key': 'race-1' }),
      ),
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      responses.map(() => 202),
    );
    const ids = new Set(responses.map((r) => r.body.id));
    assert.equal(ids.size, 1, 'every caller got the same notification id');
    assert.equal(responses.filter((r) => r.headers.get('idempotent-replayed') !== 'true').length, 1);
    assert.equal(await countRows('race-1'), 1);

    const replay = await api.post('/v1/notifications', { ...body('hi'), idempotencyKey: 'race-1' });
    assert.equal(replay.status, 202);
    assert.deepEqual(replay.body, responses[0]?.body);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  });

  it('refuses the same key with a different body, also when racing, and stores nothing new', async () => {
    const [first, ...rest] = await Promise.all([
      api.post('/v1/notifications', body('one'), { 'idempotency-key': 'race-2' }),
      ...Array.from({ length: 10 }, (_, i) =>
        api.post('/v1/notifications', body(i % 2 ? 'one' : 'two'), { 'idempotency-key': 'race-2' }),
      ),
    ]);
    const all = [first, ...rest];
    const winners = all.filter((r) => r?.status === 202);
    const conflicts = all.filter((r) => r?.status === 409);
    assert.equal(winners.length + conflicts.length, all.length);
    assert.equal(new Set(winners.map((r) => r?.body.id)).size, 1);
    for (const c of conflicts) assert.equal(c?.body.error.code, 'idempotency_conflict');
    assert.ok(conflicts.length >= 5, 'the bodies that differ from the stored one are refused');
    assert.equal(await countRows('race-2'), 1);
  });
});
