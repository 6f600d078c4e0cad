/**
 * The status-webhook claim on real PostgreSQL shares the queue between services: one service's
 * backlog, however old, takes only its share of a claim; no service holds more than its cap of
 * claimed messages at once; the lanes' weights set the shares; and a service whose endpoints are all
 * disabled takes no share. Plans are read from EXPLAIN, not timed.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyWebhookOutbox } from '../../src/adapters/store/kysely-webhook-outbox.ts';
import type { ClaimedWebhook } from '../../src/ports/status-webhooks.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

const A = '00000000-0000-7000-8000-00000000000a';
const B = '00000000-0000-7000-8000-00000000000b';
const C = '00000000-0000-7000-8000-00000000000c';
const endpointOf = (service: string) => service.replace(/-0000000000(..)$/, '-1000000000$1');

describe('status-webhook claim shared between services', { skip: skipWithoutPg }, () => {
  let tdb: TestDatabase;
  let database: Database;

  before(async () => {
    tdb = await freshDatabase();
    database = await connect({ databaseUrl: tdb.url, dataDir: '/nonexistent' });
    await migrateToLatest(database.db);
    for (const [id, name, enabled] of [
      [A, 'Flooder', true],
      [B, 'Quiet', true],
      [C, 'Disabled', false],
    ] as const) {
      await sql`insert into services (id, name) values (${id}, ${name})`.execute(database.db);
      await sql`insert into webhook_endpoints (id, service_id, url, events, secret, enabled)
                values (${endpointOf(id)}, ${id}, 'https://hooks.example.com/', '["delivery.sent"]', 's', ${enabled})`.execute(
        database.db,
      );
    }
  });

  afterEach(async () => {
    await sql`delete from webhook_messages`.execute(database.db);
  });

  after(async () => {
    await database?.close();
    await tdb?.drop();
  });

  /** `n` pending messages for `service`'s endpoint, due `agoSeconds` ago. */
  const pending = (service: string, n: number, agoSeconds: number) =>
    sql`insert into webhook_messages (event_id, endpoint_id, service_id, event_type, payload, next_attempt_at)
        select 'evt_' || md5(random()::text), ${endpointOf(service)}, ${service}, 'delivery.sent', '{}'::jsonb,
               now() - ${agoSeconds} * interval '1 second'
          from generate_series(1, ${n})`.execute(database.db);

  const count = (claimed: ClaimedWebhook[]) => {
    const by: Record<string, number> = {};
    for (const m of claimed) by[m.serviceId] = (by[m.serviceId] ?? 0) + 1;
    return by;
  };

  it("gives a quiet service its share of a claim however old another service's backlog is", async () => {
    await pending(A, 200, 600); // ten minutes of A's backlog, all due before B's
    await pending(B, 5, 0);
    await pending(C, 5, 900); // oldest of all, but C's only endpoint is disabled
    const claimed = await kyselyWebhookOutbox(database.db).claim('w1', 8, 60_000);
    assert.deepEqual(count(claimed), { [A]: 4, [B]: 4 });
    // Started in turn: a service's messages are not all queued behind another's in the worker.
    for (let i = 1; i < claimed.length; i++)
      assert.notEqual(claimed[i]?.serviceId, claimed[i - 1]?.serviceId, `claim order, at ${i}`);
  });

  it('caps what one service has claimed at once, across claims and workers', async () => {
    await pending(A, 200, 600);
    await pending(B, 2, 0);
    const outbox = kyselyWebhookOutbox(database.db);
    const first = await outbox.claim('w1', 8, 60_000, { perService: 3 });
    assert.deepEqual(count(first), { [A]: 3, [B]: 2 });
    // A's three are still being posted (a hanging endpoint): another worker's claim takes none of
    // A's, and B's new messages only up to B's own cap.
    await pending(B, 2, 0);
    const second = await outbox.claim('w2', 8, 60_000, { perService: 3 });
    assert.deepEqual(count(second), { [B]: 1 });
    // One of A's settles: A may have one more claimed.
    const a = first.find((m) => m.serviceId === A) as ClaimedWebhook;
    await outbox.settle(
      a,
      'w1',
      { startedAt: new Date(), durationMs: 1, statusCode: 200, error: null },
      { ok: true },
    );
    assert.deepEqual(count(await outbox.claim('w2', 8, 60_000, { perService: 3 })), { [A]: 1 });
  });

  it("shares a claim by the operator's weights", async () => {
    await pending(A, 50, 600);
    await pending(B, 50, 0);
    const claimed = await kyselyWebhookOutbox(database.db).claim('w1', 8, 60_000, {
      weights: { [B]: 3 },
      perService: 8,
    });
    assert.deepEqual(count(claimed), { [A]: 2, [B]: 6 });
  });

  it('finds waiting services and their due messages through indexes', async () => {
    await pending(A, 20_000, 600);
    await pending(B, 5, 0);
    await sql`analyze webhook_messages`.execute(database.db);
    const explain = async (q: ReturnType<typeof sql>) => {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${q}`.execute(database.db);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    const probe = await explain(sql`select service_id from webhook_messages
                                     where status = 'pending' and service_id > ${A} order by service_id limit 1`);
    assert.match(probe, /Index Only Scan using webhook_messages_pending_service/);
    const due = await explain(sql`select m.id from webhook_messages m
                                   where m.endpoint_id = ${endpointOf(A)} and m.status = 'pending'
                                     and m.next_attempt_at <= now()
                                   order by m.next_attempt_at, m.id limit 4 for update of m skip locked`);
    assert.match(due, /Index Scan using webhook_messages_pending_endpoint/);
    assert.doesNotMatch(due, /Sort/, 'the index gives the order');
  });
});
