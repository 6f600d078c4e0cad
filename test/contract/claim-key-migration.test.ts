/**
 * Migration 0037 upgrades a database in place on both adapters: `herald_claim_key` keeps its values
 * (rows queued before it are claimed in the same order, whatever the session's time zone) and is now
 * inlined by PostgreSQL (no function call left in a plan), and the claim index written before it
 * still serves the lane's claim.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { migrateTo } from '../helpers/migrate-to.ts';

const explain = async (database: Database, query: string) =>
  (await sql.raw<Record<string, string>>(`explain (verbose, costs off) ${query}`).execute(database.db)).rows
    .map((r) => Object.values(r)[0])
    .join('\n');

for (const kind of ['pglite', 'postgres'] as const) {
  describe(
    `claim key inlined (0037), on ${kind}`,
    { skip: kind === 'postgres' ? skipWithoutPg : false },
    () => {
      let database: Database;
      let pgdb: TestDatabase | undefined;
      const serviceId = randomUUID();
      // Due times and priorities whose keys interleave: priority 0 is critical, 3 low (10 min each).
      const queued = [
        { id: randomUUID(), dueMin: -40, priority: 3 }, // key −10
        { id: randomUUID(), dueMin: -5, priority: 0 }, // key −5
        { id: randomUUID(), dueMin: -25, priority: 2 }, // key −5 + 0.5 later: −4.5 below
        { id: randomUUID(), dueMin: -20, priority: 1 }, // key −10 + 0.5: −9.5 below
      ];
      const before0037: Record<string, string> = {};

      before(async () => {
        if (kind === 'postgres') pgdb = await freshDatabase();
        // Sessions whose own time zone is not UTC, as a server set up in another zone gives them: the
        // keys read before the migration must compare equal to those read after, whatever the zone.
        if (pgdb) {
          const c = new pg.Client({ connectionString: pgdb.url });
          await c.connect();
          await c.query(`alter database ${pgdb.name} set timezone = 'America/New_York'`);
          await c.end();
        }
        database = await connect({ databaseUrl: pgdb?.url, dataDir: tempDir('herald-claim-key-') });
        const { db } = database;
        if (!pgdb) await sql`set time zone 'America/New_York'`.execute(db);
        await migrateTo(db, '0036-notifications-without-service-fk');
        const notificationId = randomUUID();
        await sql`insert into services (id, name) values (${serviceId}, 'S')`.execute(db);
        await sql`insert into notifications (id, service_id, type, channels, request_hash)
                  values (${notificationId}, ${serviceId}, 't', '["sms"]', 'h')`.execute(db);
        for (const [i, q] of queued.entries()) {
          // Half a minute apart where two keys would otherwise tie, so the order is one.
          const due = q.dueMin + (i >= 2 ? 0.5 : 0);
          await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status,
                                            address, content, priority, next_attempt_at)
                    values (${q.id}, ${notificationId}, ${serviceId}, ${`r${i}`}, 'sms', 'queued', '+1555',
                            '{"text":"t"}', ${q.priority}, now() + ${due} * interval '1 minute')`.execute(db);
        }
        // The instant (seconds since the epoch), not its text, which is written in the session's zone.
        const { rows } = await sql<{ id: string; k: string }>`
          select id, extract(epoch from herald_claim_key(next_attempt_at, priority))::text as k
            from deliveries`.execute(db);
        for (const r of rows) before0037[r.id] = r.k;
        assert.ok((await migrateToLatest(db)).includes('0037-inlined-claim-key'));
      });

      after(async () => {
        await database?.close();
        await pgdb?.drop();
      });

      it('is inlined: no function call left in a plan', async () => {
        const plan = await explain(
          database,
          `select herald_claim_key(next_attempt_at, priority) from deliveries`,
        );
        assert.doesNotMatch(plan, /herald_claim_key/);
        assert.match(plan, /AT TIME ZONE/i);
      });

      it('keeps every value, in any session time zone', async () => {
        for (const zone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
          await sql.raw(`set time zone '${zone}'`).execute(database.db);
          const { rows } = await sql<{ id: string; k: string }>`
            select id, (herald_claim_key(next_attempt_at, priority) at time zone 'UTC')::text as k,
                   herald_claim_key(next_attempt_at, priority)
                     = next_attempt_at + priority * interval '10 minutes' as same
              from deliveries`.execute(database.db);
          assert.equal(rows.length, queued.length);
          for (const r of rows) assert.equal((r as unknown as { same: boolean }).same, true, zone);
        }
        await sql.raw(`set time zone 'UTC'`).execute(database.db);
        const { rows } = await sql<{ id: string; k: string }>`
          select id, extract(epoch from herald_claim_key(next_attempt_at, priority))::text as k
            from deliveries`.execute(database.db);
        for (const r of rows) assert.equal(r.k, before0037[r.id]);
      });

      it('the claim index written before it still serves the claim, in key order', async () => {
        await sql`set enable_seqscan = off`.execute(database.db);
        try {
          const plan = await explain(
            database,
            `select id from deliveries
              where channel = 'sms' and status = 'queued' and service_id = '${serviceId}'
                and herald_claim_key(next_attempt_at, priority) <= now() + interval '30 minutes'
              order by bulk, herald_claim_key(next_attempt_at, priority) limit 2`,
          );
          assert.match(plan, /Index Scan using deliveries_claim_fair/);
          assert.doesNotMatch(plan, /Sort/);
        } finally {
          await sql`reset enable_seqscan`.execute(database.db);
        }
        const claimed = await kyselyDeliveryQueue(database.db).claim('sms', 'w', 10, 60_000);
        const byKey = Object.entries(before0037)
          .sort(([, a], [, b]) => Number(a) - Number(b))
          .map(([id]) => id);
        assert.deepEqual(
          claimed.map((d) => d.id),
          byKey,
        );
      });
    },
  );
}
