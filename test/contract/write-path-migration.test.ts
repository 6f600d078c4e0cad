/**
 * Migration 0010 upgrades a database in place: rows written under 0009's row triggers stay, the
 * index set is the one docs/tables.md justifies, and the statement triggers log and queue status
 * webhooks exactly as the row triggers did, one log row per reported change, on both adapters.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import {
  connect,
  migrateToLatest,
  schemaIsCurrent,
  type Database,
} from '../../src/adapters/store/connect.ts';
import { migrationProvider } from '../../src/adapters/store/migrations/index.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`write-path migration on ${kind}`, { skip: kind === 'postgres' ? skipWithoutPg : false }, () => {
    let database: Database;
    let pgdb: TestDatabase | undefined;
    const service = randomUUID();
    const notification = randomUUID();
    const endpoint = randomUUID();
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

    before(async () => {
      if (kind === 'postgres') pgdb = await freshDatabase();
      database = await connect({ databaseUrl: pgdb?.url, dataDir: tempDir('herald-migrate-') });
      const { db } = database;
      const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo('0009-retention');
      assert.equal(error, undefined);
      await sql`insert into services (id, name) values (${service}, 'S')`.execute(db);
      await sql`insert into notifications (id, service_id, type, channels, request_hash)
                values (${notification}, ${service}, 'order_shipped', '["sms"]', 'h')`.execute(db);
      await sql`insert into webhook_endpoints (id, service_id, url, events, secret)
                values (${endpoint}, ${service}, 'https://example.test/hook', '["delivery.sent","delivery.failed"]', 's')`.execute(
        db,
      );
      // Written under 0009: one delivery already sent (logged by the row trigger), three queued.
      await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status)
                select id, ${notification}, ${service}, 'r' || k, 'sms', case when k = 1 then 'sent' else 'queued' end
                  from unnest(${ids}::uuid[]) with ordinality as t(id, k)`.execute(db);
      await migrateToLatest(db);
    });

    after(async () => {
      await database?.close();
      await pgdb?.drop();
    });

    const logOf = async () =>
      (
        await sql<{ delivery_id: string; status: string }>`
          select delivery_id, status from delivery_status_log order by id`.execute(database.db)
      ).rows.map((r) => `${r.delivery_id}:${r.status}`);

    it('keeps what 0009 wrote and leaves the index set each query needs', async () => {
      assert.deepEqual(await logOf(), [`${ids[0]}:sent`]);
      const { rows } = await sql<{ indexname: string }>`
        select indexname from pg_indexes where tablename = 'deliveries' order by indexname`.execute(
        database.db,
      );
      assert.deepEqual(
        rows.map((r) => r.indexname),
        [
          'deliveries_claim_fair',
          'deliveries_dead',
          'deliveries_deferred',
          'deliveries_leased',
          'deliveries_once',
          'deliveries_pkey',
          'deliveries_provider_message',
          'deliveries_recipient_recent',
          'deliveries_service_status_listed',
        ],
      );
    });

    it('logs and queues webhooks for a many-row status change in one statement', async () => {
      const { db } = database;
      const [, a, b, c] = ids as [string, string, string, string];
      // Moves that are not reported (claim) and updates that change no status log nothing.
      await sql`update deliveries set status = 'sending' where id in (${a}, ${b}, ${c})`.execute(db);
      await sql`update deliveries set attempts = attempts + 1 where id in (${a}, ${b}, ${c})`.execute(db);
      assert.equal((await logOf()).length, 1);
      await sql`update deliveries
                   set status = case when id = ${c} then 'failed' else 'sent' end, updated_at = now()
                 where id in (${a}, ${b}, ${c})`.execute(db);
      assert.deepEqual((await logOf()).slice(1).sort(), [`${a}:sent`, `${b}:sent`, `${c}:failed`].sort());
      const messages = await sql<{ event_id: string; event_type: string; payload: Record<string, any> }>`
        select event_id, event_type, payload from webhook_messages order by id`.execute(db);
      const byDelivery = new Map(messages.rows.map((m) => [m.payload.data.deliveryId as string, m]));
      assert.equal(
        byDelivery.size,
        4,
        'one message per reported change, the one before the upgrade included',
      );
      const failed = byDelivery.get(c);
      assert.equal(failed?.event_type, 'delivery.failed');
      assert.equal(failed?.payload.data.notificationType, 'order_shipped');
      assert.equal(failed?.payload.data.attempts, 1);
      assert.equal(new Set(messages.rows.map((m) => m.event_id)).size, 4, 'event ids stay distinct');
    });

    it('logs reported rows inserted in one statement', async () => {
      const id = randomUUID();
      await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, reason)
                values (${id}, ${notification}, ${service}, 'r9', 'sms', 'suppressed', 'opted_out'),
                       (${randomUUID()}, ${notification}, ${service}, 'r10', 'sms', 'queued', null)`.execute(
        database.db,
      );
      assert.equal((await logOf()).at(-1), `${id}:suppressed`);
      assert.equal((await logOf()).length, 5);
    });

    // Last: it deletes the notification the cases above share.
    it('takes the deliveries written before 0032, and their attempts, along with their notification', async () => {
      const { db } = database;
      const { rows: keys } = await sql<{ n: number }>`
        select count(*)::int as n from pg_constraint
         where conrelid = 'deliveries'::regclass and confrelid = 'notifications'::regclass`.execute(db);
      assert.equal(keys[0]?.n, 0, 'no foreign key from deliveries to notifications is left');
      await sql`insert into delivery_attempts (delivery_id, attempt, provider, started_at, duration_ms, outcome)
                values (${ids[0]}, 1, 'p', now(), 1, 'sent')`.execute(db);
      await sql`delete from notifications where id = ${notification}`.execute(db);
      const { rows } = await sql<{ deliveries: number; attempts: number }>`
        select (select count(*)::int from deliveries where notification_id = ${notification}) as deliveries,
               (select count(*)::int from delivery_attempts where delivery_id = any(${ids}::uuid[])) as attempts`.execute(
        db,
      );
      assert.deepEqual(rows[0], { deliveries: 0, attempts: 0 });
    });
  });
}

describe('a migration merged after a higher number shipped', () => {
  it('is applied to a database that already has the higher one, and readiness waits for it', async () => {
    const database = await connect({ dataDir: 'memory://' });
    try {
      const { db } = database;
      // What main's build had applied: everything it knew, 0015 included, without 0010. Later
      // migrations (0024 on) build on 0010 and shipped after it, so they are not in that build.
      const shipped = (name: string) => name !== '0010-write-path' && name < '0019';
      const without0010 = {
        getMigrations: async () =>
          Object.fromEntries(
            Object.entries(await migrationProvider.getMigrations()).filter(([name]) => shipped(name)),
          ),
      };
      const pending = Object.keys(await migrationProvider.getMigrations())
        .filter((name) => !shipped(name))
        .sort();
      const { error } = await new Migrator({ db, provider: without0010 }).migrateToLatest();
      assert.equal(error, undefined);
      assert.equal(await schemaIsCurrent(db), false, 'not ready while 0010 is missing');
      assert.equal(pending[0], '0010-write-path');
      assert.deepEqual(await migrateToLatest(db), pending);
      assert.equal(await schemaIsCurrent(db), true);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_indexes where indexname = 'deliveries_claim_fair'`.execute(db);
      assert.equal(rows[0]?.n, 1);
    } finally {
      await database.close();
    }
  });
});
