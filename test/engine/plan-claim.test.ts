/**
 * The planner's claim on real PostgreSQL: priority first, then age; two planners claiming at once
 * get disjoint sets; and the claim reads `notifications_to_plan` in its own order, stopping at its
 * limit, rather than sorting every pending entry (read from EXPLAIN, not timed).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from '../../src/adapters/store/db.ts';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyPlanQueue } from '../../src/adapters/store/kysely-plan-queue.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

const SERVICE = '00000000-0000-7000-8000-000000000001';

describe('planner claim', { skip: skipWithoutPg }, () => {
  let tdb: TestDatabase;
  let database: Database;
  let other: Database;

  before(async () => {
    tdb = await freshDatabase();
    database = await connect({ databaseUrl: tdb.url, dataDir: '/nonexistent' });
    other = await connect({ databaseUrl: tdb.url, dataDir: '/nonexistent' });
    await migrateToLatest(database.db);
    await sql`insert into services (id, name) values (${SERVICE}, 'Acme')`.execute(database.db);
  });

  beforeEach(async () => {
    await sql`delete from notifications`.execute(database.db);
  });

  after(async () => {
    await other?.close();
    await database?.close();
    await tdb?.drop();
  });

  /** `count` pending notifications of `priority` (0 critical … 3 low), `agoSeconds` old, named by `type`. */
  const pending = (type: string, priority: number, agoSeconds: number, count = 1) =>
    sql`insert into notifications (id, service_id, type, recipient_id, channels, priority, request_hash, created_at)
        select gen_random_uuid(), ${SERVICE}, ${type}, 'r' || i, '["email"]', ${priority}, 'h',
               now() - ${agoSeconds} * interval '1 second' + i * interval '1 microsecond'
          from generate_series(1, ${count}) i`.execute(database.db);

  it('claims by priority, then oldest first, and skips leases that still run', async () => {
    await pending('low-old', 3, 60);
    await pending('normal-new', 2, 1);
    await pending('critical-new', 0, 1);
    await pending('normal-old', 2, 30);
    await pending('held', 0, 120);
    await sql`update notifications set plan_status = 'planning', lease_owner = 'someone',
                lease_expires_at = now() + interval '1 minute' where type = 'held'`.execute(database.db);
    await pending('expired', 1, 90);
    await sql`update notifications set plan_status = 'planning', lease_owner = 'dead',
                lease_expires_at = now() - interval '1 second' where type = 'expired'`.execute(database.db);

    const queue = kyselyPlanQueue(database.db);
    const types = async (limit: number) => (await queue.claim('me', limit, 60_000)).map((n) => n.type).sort();
    assert.deepEqual(await types(3), ['critical-new', 'expired', 'normal-old']);
    assert.deepEqual(await types(10), ['low-old', 'normal-new']);
    assert.deepEqual(await types(10), []);
  });

  it('gives two planners claiming at once disjoint notifications, all of them between them', async () => {
    await pending('n', 2, 10, 3000);
    const [a, b] = await Promise.all([
      kyselyPlanQueue(database.db).claim('worker-a', 2000, 60_000),
      kyselyPlanQueue(other.db).claim('worker-b', 2000, 60_000),
    ]);
    const ids = [...a, ...b].map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length, 'no notification claimed twice');
    assert.equal(ids.length, 3000);
    assert.equal(
      await kyselyPlanQueue(database.db)
        .claim('worker-c', 10, 60_000)
        .then((r) => r.length),
      0,
    );
  });

  it('reads the index in claim order: the probe always, the claim once statistics exist', async () => {
    await pending('n', 2, 10, 20_000);
    await pending('urgent', 0, 5, 100);
    // Planned notifications the claim must not pay for (a vacuum would remove their entries).
    await sql`update notifications set plan_status = 'planned' where type = 'n' and recipient_id < 'r5'`.execute(
      database.db,
    );
    const claimable = sql`(plan_status = 'pending' or (plan_status = 'planning' and lease_expires_at < now()))`;
    const explain = async (query: ReturnType<typeof sql>) => {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(database.db);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    const ordered = (plan: string) => {
      assert.match(plan, /Index Scan using notifications_to_plan on notifications/);
      assert.doesNotMatch(plan, /Sort|Bitmap/, 'the index gives the order; nothing is sorted');
    };
    // The store's probe (see kysely-plan-queue.ts), before any statistics exist: a plain scan.
    const probe = sql`select 1 from notifications where ${claimable} order by priority, created_at limit 1`;
    ordered(await explain(probe));
    // The single-recipient part of the claim, once the table has been analyzed.
    await sql`analyze notifications`.execute(database.db);
    ordered(
      await explain(sql`select id from notifications where ${claimable} and audience is null
                         order by priority, created_at limit 256 for update skip locked`),
    );
    ordered(await explain(probe));
    const claimed = await kyselyPlanQueue(database.db).claim('me', 100, 60_000);
    assert.deepEqual(new Set(claimed.map((n) => n.type)), new Set(['urgent']));
  });

  it('claims in one round trip, found or not, past thousands of dead entries', async () => {
    await pending('done', 2, 60, 12_000);
    await sql`update notifications set plan_status = 'planned'`.execute(database.db);
    await pending('n', 2, 1, 50);
    const statements: string[] = [];
    const counted = new Kysely<DB>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: tdb.url, max: 1 }) }),
      log: (e) => {
        if (e.level === 'query') statements.push(e.query.sql);
      },
    });
    try {
      const queue = kyselyPlanQueue(counted);
      assert.equal((await queue.claim('me', 20, 60_000)).length, 20);
      assert.equal(statements.length, 1);
      assert.equal((await queue.claim('me', 100, 60_000)).length, 30);
      assert.equal((await queue.claim('me', 100, 60_000)).length, 0);
      assert.equal(statements.length, 3, 'an empty claim is one statement too');
    } finally {
      await counted.destroy();
    }
  });
});
