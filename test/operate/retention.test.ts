/**
 * Retention on embedded PGlite and on PostgreSQL: old finished notifications go with everything about
 * them; old ones still owed work (deferred), old ones with a dead delivery (an operator's to-do) and
 * recent ones stay; nothing goes before the analytics job has counted it, and the analytics totals are
 * the same after as before. Then the worker's own sweep, with HERALD_RETENTION_DAYS, does it unasked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { kyselyAnalytics } from '../../src/adapters/store/kysely-analytics.ts';
import { kyselyRetention } from '../../src/adapters/store/kysely-retention.ts';
import type { Herald } from '../../src/main.ts';
import { client, eventually, registerService, waitForNotification, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

const DAY = 86_400_000;

for (const mode of ['pglite', 'postgres'] as const) {
  describe(`retention (${mode})`, { skip: mode === 'postgres' && skipWithoutPg }, () => {
    let database: TestDatabase | undefined;
    let herald: Herald;
    let api: Client;
    let serviceId: string;

    before(async () => {
      database = mode === 'postgres' ? await freshDatabase() : undefined;
      herald = await startInProcess({
        ...(database ? { databaseUrl: database.url } : {}),
        // Rollups and retention only when the test asks, so it can look between the steps.
        config: { analytics: { rollupMs: 3_600_000 }, retention: { days: 0 } },
      });
      const s = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Shop', ['receipt']);
      api = client(herald.url ?? '', s.apiKey);
      serviceId = s.id;
    });

    after(async () => {
      await herald?.stop();
      await database?.drop();
    });

    async function sendOne(id: string): Promise<string> {
      const res = await api.post('/v1/notifications', {
        type: 'receipt',
        recipient: { id, email: `${id}@example.com` },
        channels: ['email'],
        content: { email: { subject: 'Receipt', text: 'Thanks' } },
      });
      assert.equal(res.status, 202);
      await waitForNotification(api, res.body.id);
      return res.body.id as string;
    }

    const backdate = (id: string, days: number) =>
      sql`update notifications set created_at = now() - ${days} * interval '1 day' where id = ${id}`.execute(
        herald.db,
      );
    const count = async (table: string, id: string) => {
      const column = table === 'notifications' ? 'id' : 'notification_id';
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}
                                                 where ${sql.ref(column)} = ${id}`.execute(herald.db);
      return rows[0]?.n ?? -1;
    };
    const logRows = async (id: string) => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from delivery_status_log
                                                 where notification_id = ${id}`.execute(herald.db);
      return rows[0]?.n ?? -1;
    };
    /**
     * A notification's attempts, by the delivery ids first seen (so they still count after the
     * deliveries went). Attempts go with their deliveries by a statement trigger since migration 0025.
     */
    const deliveriesOf = new Map<string, string[]>();
    const attemptRows = async (id: string) => {
      if (!deliveriesOf.has(id)) {
        const { rows } = await sql<{ id: string }>`select id from deliveries
                                                    where notification_id = ${id}`.execute(herald.db);
        deliveriesOf.set(
          id,
          rows.map((r) => r.id),
        );
      }
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from delivery_attempts
                                                 where delivery_id = any(${deliveriesOf.get(id)}::uuid[])`.execute(
        herald.db,
      );
      return rows[0]?.n ?? -1;
    };
    const totals = async () => {
      const now = new Date();
      const cells = await kyselyAnalytics(herald.db).query({
        serviceId,
        from: new Date(now.getTime() - 200 * DAY),
        to: new Date(now.getTime() + DAY),
        interval: 'day',
      });
      const sum: Record<string, number> = {};
      for (const c of cells) for (const [k, v] of Object.entries(c.counts)) sum[k] = (sum[k] ?? 0) + v;
      return sum;
    };

    it('deletes old finished notifications once counted, and keeps what is owed, dead or recent', async () => {
      const old = await sendOne('old');
      const deferred = await sendOne('deferred');
      const dead = await sendOne('dead');
      const recent = await sendOne('recent');
      // Made by the test: a deferred delivery (still owed) and a dead one (waiting for a replay).
      await sql`update deliveries set status = 'deferred', next_attempt_at = now() + interval '1 day'
                 where notification_id = ${deferred}`.execute(herald.db);
      await sql`update deliveries set status = 'dead' where notification_id = ${dead}`.execute(herald.db);
      for (const id of [old, deferred, dead]) await backdate(id, 100);
      await backdate(recent, 10);
      assert.ok((await logRows(old)) >= 1, 'the status log has the old notification’s changes');
      assert.ok((await attemptRows(old)) >= 1, 'the lane recorded the old delivery’s attempt');

      const retention = kyselyRetention(herald.db);
      // The analytics job has not read these changes yet: nothing may go.
      assert.equal(await retention.prune(90 * DAY, 100), 0);
      assert.equal(await count('notifications', old), 1);

      await kyselyAnalytics(herald.db).rollUp();
      const before = await totals();
      // Four settled deliveries (sent here, or failed where no email provider is set up) and one dead.
      const counted = Object.values(before).reduce((a, b) => a + b, 0);
      assert.ok(counted >= 5, JSON.stringify(before));

      assert.equal(await retention.prune(90 * DAY, 100), 1);
      assert.equal(await count('notifications', old), 0);
      assert.equal(await count('deliveries', old), 0);
      assert.equal(await logRows(old), 0);
      assert.equal(await attemptRows(old), 0, 'the attempts went with their deliveries');
      assert.equal((await api.get(`/v1/notifications/${old}`)).status, 404);
      for (const kept of [deferred, dead, recent]) {
        assert.equal(await count('notifications', kept), 1, kept);
        assert.equal((await api.get(`/v1/notifications/${kept}`)).status, 200);
      }
      assert.ok((await logRows(recent)) >= 1);
      assert.equal(await retention.prune(90 * DAY, 100), 0, 'nothing more is old and finished');
      await kyselyAnalytics(herald.db).rollUp();
      assert.deepEqual(await totals(), before, 'analytics keep their counts');
    });

    it('takes at most `limit` per round, oldest first', async () => {
      const ids = [await sendOne('a'), await sendOne('b'), await sendOne('c')];
      await backdate(ids[0] as string, 300);
      await backdate(ids[1] as string, 200);
      await backdate(ids[2] as string, 150);
      await kyselyAnalytics(herald.db).rollUp();
      const retention = kyselyRetention(herald.db);
      assert.equal(await retention.prune(90 * DAY, 2), 2);
      assert.deepEqual(await Promise.all(ids.map((id) => count('notifications', id))), [0, 0, 1]);
      assert.equal(await retention.prune(90 * DAY, 2), 1);
    });
  });
}

describe('retention in the worker sweep (HERALD_RETENTION_DAYS)', () => {
  let herald: Herald;
  after(async () => herald?.stop());

  it('deletes an old finished notification unasked and leaves a recent one', async () => {
    herald = await startInProcess({
      env: { HERALD_RETENTION_DAYS: '30' },
      config: { analytics: { rollupMs: 100 }, worker: { sweepMs: 100 } },
    });
    const s = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Shop', ['receipt']);
    const api = client(herald.url ?? '', s.apiKey);
    const ids: string[] = [];
    for (const id of ['old', 'new']) {
      const res = await api.post('/v1/notifications', {
        type: 'receipt',
        recipient: { id, email: `${id}@example.com` },
        channels: ['email'],
        content: { email: { subject: 'Receipt', text: 'Thanks' } },
      });
      await waitForNotification(api, res.body.id);
      ids.push(res.body.id);
    }
    await sql`update notifications set created_at = now() - interval '31 days' where id = ${ids[0]}`.execute(
      herald.db,
    );
    await eventually(async () => (await api.get(`/v1/notifications/${ids[0]}`)).status === 404, {
      what: 'the old notification to be deleted',
    });
    assert.equal((await api.get(`/v1/notifications/${ids[1]}`)).status, 200);
  });
});
