/**
 * Claim order on real PostgreSQL: priority first, aged by waiting time so a low-priority backlog
 * still moves; and the claim stays an index scan on a big queue (read from EXPLAIN, not timed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

describe('claim order and plan', { skip: skipWithoutPg }, () => {
  let tdb: TestDatabase;
  let database: Database;

  before(async () => {
    tdb = await freshDatabase();
    database = await connect({ databaseUrl: tdb.url, dataDir: '/nonexistent' });
    await migrateToLatest(database.db);
    await sql`insert into services (id, name) values ('00000000-0000-7000-8000-000000000001', 'Acme')`.execute(
      database.db,
    );
    await sql`insert into notifications (id, service_id, type, channels, request_hash)
              values ('00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000001',
                      't', '["email"]', 'h')`.execute(database.db);
  });

  after(async () => {
    await database?.close();
    await tdb?.drop();
  });

  /** Queues one delivery of `priority` (0 critical … 3 low) that became due `agoMinutes` ago. */
  const queue = (recipient: string, priority: number, agoMinutes: number, channel = 'email') =>
    sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, priority, next_attempt_at)
        values (gen_random_uuid(), '00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000001',
                ${recipient}, ${channel}, 'queued', ${priority}, now() - ${agoMinutes} * interval '1 minute')`.execute(
      database.db,
    );

  it('claims higher priority first, but a low one that has waited long enough goes ahead', async () => {
    await queue('normal-new', 2, 0);
    await queue('critical-new', 0, 0);
    await queue('low-new', 3, 0);
    await queue('high-5min', 1, 5); // waited 5 min: still behind a new critical (1 level = 10 min)
    await queue('low-45min', 3, 45); // waited 45 min: ahead of a new critical (3 levels × 10 min)
    await queue('low-future', 3, -5); // not due yet
    const claimed = await kyselyDeliveryQueue(database.db).claim('email', 'test', 10, 60_000);
    assert.deepEqual(
      claimed.map((d) => d.recipientId),
      ['low-45min', 'critical-new', 'high-5min', 'normal-new', 'low-new'],
    );
  });

  it('plans the claim as an index scan in claim order on 200k queued deliveries', async () => {
    await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, priority, next_attempt_at)
              select gen_random_uuid(), '00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000001',
                     'bulk' || i, case when i % 3 = 0 then 'sms' else 'webhook' end,
                     case when i % 10 = 0 then 'sent' else 'queued' end,
                     (i % 4)::smallint, now() - (i % 600) * interval '1 second' + interval '2 minutes'
                from generate_series(1, 200000) i`.execute(database.db);
    await sql`analyze deliveries`.execute(database.db);
    // The per-service part of the statement the lane runs (see kysely-delivery-queue.ts), explained.
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain
      select id from deliveries
       where channel = 'webhook' and status = 'queued'
         and service_id = '00000000-0000-7000-8000-000000000001'
         and next_attempt_at <= now()
         and herald_claim_key(next_attempt_at, priority) <= now() + interval '30 minutes'
       order by bulk, herald_claim_key(next_attempt_at, priority)
       limit 64
       for update skip locked`.execute(database.db);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    assert.match(plan, /Index Scan using deliveries_claim_fair on deliveries/);
    assert.doesNotMatch(plan, /Seq Scan on deliveries/);
    assert.doesNotMatch(plan, /Sort/, 'the index gives the order; nothing is sorted');
  });
});
