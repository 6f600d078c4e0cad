/**
 * How PostgreSQL runs a lane's batched settle and postpone (read from EXPLAIN, not timed): each row
 * is found by its primary key, never by a scan of `deliveries_leased`. That partial index holds an
 * entry for every row that was ever `sending`, dead ones included until a vacuum; answered from it,
 * a batch of 30 read every such entry (thousands in a bench database).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { DB } from '../../src/adapters/store/db.ts';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { postponeDeliveries } from '../../src/adapters/store/kysely-postpone.ts';
import { settleDeliveries } from '../../src/adapters/store/kysely-settle.ts';
import type { ClaimedDelivery } from '../../src/domain/types.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

describe('batched settle and postpone plans', { skip: skipWithoutPg }, () => {
  let database: Database;
  let pgdb: TestDatabase;
  let pool: pg.Pool;
  /** The same database through a Kysely that keeps each statement it ran, to explain it after. */
  let recording: Kysely<DB>;
  const ran: CompiledQuery[] = [];
  let claimed: ClaimedDelivery[];

  before(async () => {
    pgdb = await freshDatabase();
    database = await connect({ databaseUrl: pgdb.url, dataDir: tempDir('herald-settle-plan-') });
    await migrateToLatest(database.db);
    pool = new pg.Pool({ connectionString: pgdb.url, max: 2 });
    recording = new Kysely<DB>({
      dialect: new PostgresDialect({ pool }),
      log: (e) => {
        if (e.level === 'query') ran.push(e.query);
      },
    });
    const { db } = database;
    const serviceId = randomUUID();
    const notificationId = randomUUID();
    await sql`insert into services (id, name) values (${serviceId}, 'S')`.execute(db);
    await sql`insert into notifications (id, service_id, type, channels, request_hash)
              values (${notificationId}, ${serviceId}, 't', '["in_app"]', 'h')`.execute(db);
    await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, address)
              select gen_random_uuid(), ${notificationId}, ${serviceId}, 'r' || i, 'in_app', 'queued', 'r' || i
                from generate_series(1, 3000) i`.execute(db);
    // A lane's history: most rows were sending once and are sent now, which leaves their entries
    // in `deliveries_leased` behind.
    await sql`update deliveries set status = 'sending', lease_owner = 'earlier',
                     lease_expires_at = now() + interval '1 minute'
               where id not in (select id from deliveries order by id limit 30)`.execute(db);
    await sql`update deliveries set status = 'sent', lease_owner = null, lease_expires_at = null
               where lease_owner = 'earlier'`.execute(db);
    await sql`analyze deliveries`.execute(db);
    claimed = await kyselyDeliveryQueue(db).claim('in_app', 'lane', 30, 60_000);
    assert.equal(claimed.length, 30);
  });

  after(async () => {
    await recording?.destroy();
    await database?.close();
    await pgdb?.drop();
  });

  async function planOf(run: () => Promise<unknown>): Promise<string> {
    ran.length = 0;
    const client = await pool.connect();
    try {
      await run();
      const query = ran.at(-1);
      assert.ok(query, 'the statement was recorded');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain ${query.sql}`, [
        ...query.parameters,
      ]);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      client.release();
    }
  }

  it('settles each row through the primary key', async () => {
    const startedAt = new Date();
    const plan = await planOf(() =>
      settleDeliveries(
        recording,
        'lane',
        claimed.map((delivery) => ({
          delivery,
          outcome: { status: 'sent', provider: 'p', providerMessageId: null },
          attempt: {
            attempt: delivery.attempts,
            provider: 'p',
            startedAt,
            durationMs: 1,
            outcome: 'sent',
            errorCode: null,
            errorMessage: null,
            providerMessageId: null,
          },
        })),
      ),
    );
    assert.doesNotMatch(plan, /deliveries_leased/, plan);
    assert.match(plan, /deliveries_pkey/, plan);
  });

  it('postpones each row through the primary key', async () => {
    const plan = await planOf(() =>
      postponeDeliveries(
        recording,
        'lane',
        claimed.map((delivery) => ({ delivery, delayMs: 1000, reason: 'provider_rate_limit' })),
      ),
    );
    assert.doesNotMatch(plan, /deliveries_leased/, plan);
    assert.match(plan, /deliveries_pkey/, plan);
  });
});
