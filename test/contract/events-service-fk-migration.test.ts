/**
 * Migration 0038 upgrades a database in place and keeps what the events → services key did, on both
 * adapters: events written before it stay, an event naming a service that does not exist is refused
 * with the key's own error and writes nothing, and removing a service takes its events (written
 * before or after the migration) along. On PostgreSQL also both orders of an insert racing the
 * service's delete.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { toErrorResponse } from '../../src/http/errors.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';
import { migrateTo } from '../helpers/migrate-to.ts';

const insertEvent = (id: string, service: string) =>
  sql`insert into events (service_id, id, name, payload, request_hash)
      values (${service}, ${id}, 'trade.executed', '{}', 'h')`;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(
    `events without the service key, on ${kind}`,
    { skip: kind === 'postgres' ? skipWithoutPg : false },
    () => {
      let database: Database;
      let pgdb: TestDatabase | undefined;
      const gone = randomUUID();
      const kept = randomUUID();

      before(async () => {
        if (kind === 'postgres') pgdb = await freshDatabase();
        database = await connect({ databaseUrl: pgdb?.url, dataDir: tempDir('herald-migrate-') });
        const { db } = database;
        await migrateTo(db, '0036-notifications-without-service-fk');
        for (const id of [gone, kept])
          await sql`insert into services (id, name) values (${id}, 'S')`.execute(db);
        await insertEvent('before-0038', gone).execute(db);
        await insertEvent('kept', kept).execute(db);
        assert.ok((await migrateToLatest(db)).includes('0038-events-without-service-fk'));
      });

      after(async () => {
        await database?.close();
        await pgdb?.drop();
      });

      const count = async (service: string) =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from events where service_id = ${service}`.execute(database.db)
        ).rows[0]?.n;

      it('no longer carries the key', async () => {
        const { rows } = await sql<{ conname: string }>`
        select conname from pg_constraint where conrelid = 'events'::regclass and contype = 'f'`.execute(
          database.db,
        );
        assert.deepEqual(rows, []);
      });

      it('refuses an event of a service that does not exist, with the key’s error, writing nothing', async () => {
        const missing = randomUUID();
        let refused: unknown;
        await insertEvent('e1', missing)
          .execute(database.db)
          .catch((err: unknown) => (refused = err));
        assert.equal((refused as { code?: string }).code, '23503');
        // The API answers it as a key whose service is gone.
        assert.equal(toErrorResponse(refused, 'POST').status, 401);
        // One missing service among many rows refuses the whole statement.
        await assert.rejects(
          sql`insert into events (service_id, id, name, payload, request_hash)
            select s, 'many-' || n, 'trade.executed', '{}', 'h'
              from unnest(array[${kept}, ${missing}, ${kept}]::uuid[]) with ordinality as u(s, n)`.execute(
            database.db,
          ),
          (err: unknown) => (err as { code?: string }).code === '23503',
        );
        assert.equal(await count(missing), 0);
        assert.equal(await count(kept), 1);
      });

      it('takes a removed service’s events, old and new, along', async () => {
        await insertEvent('after-0038', gone).execute(database.db);
        assert.equal(await count(gone), 2);
        await sql`delete from services where id = ${gone}`.execute(database.db);
        assert.equal(await count(gone), 0);
        assert.equal(await count(kept), 1);
      });

      if (kind === 'postgres') {
        const withClients = async (run: (a: pg.Client, b: pg.Client) => Promise<void>) => {
          const a = new pg.Client(pgdb?.url);
          const b = new pg.Client(pgdb?.url);
          await a.connect();
          await b.connect();
          try {
            await run(a, b);
          } finally {
            await a.end();
            await b.end();
          }
        };
        const insertText = `insert into events (service_id, id, name, payload, request_hash)
                          values ($1, $2, 'trade.executed', '{}', 'h')`;
        const waiting = async (b: pg.Client) => {
          // The other session is blocked on a lock (not yet finished) when it shows as waiting.
          for (let i = 0; i < 200; i++) {
            const { rows } = await b.query<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
            );
            if ((rows[0]?.n ?? 0) > 0) return;
            await new Promise((r) => setTimeout(r, 25));
          }
          assert.fail('the racing statement never waited');
        };

        it('a delete of the service waits for an insert in flight, then takes its rows', async () => {
          const service = randomUUID();
          await sql`insert into services (id, name) values (${service}, 'S')`.execute(database.db);
          await withClients(async (a, b) => {
            await a.query('begin');
            await a.query(insertText, [service, 'raced-1']);
            const deleting = b.query('delete from services where id = $1', [service]);
            await waiting(a);
            await a.query('commit');
            await deleting;
          });
          assert.equal(await count(service), 0);
        });

        it('an insert racing a delete in flight waits for it, then is refused', async () => {
          const service = randomUUID();
          await sql`insert into services (id, name) values (${service}, 'S')`.execute(database.db);
          await withClients(async (a, b) => {
            await b.query('begin');
            await b.query('delete from services where id = $1', [service]);
            const inserting = a.query(insertText, [service, 'raced-2']).then(
              () => null,
              (err: { code?: string }) => err.code,
            );
            await waiting(b);
            await b.query('commit');
            assert.equal(await inserting, '23503');
          });
          assert.equal(await count(service), 0);
        });
      }
    },
  );
}
