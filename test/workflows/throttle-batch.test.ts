/**
 * Throttle counts and delays are written once per planner batch. Two planners' batches of one
 * throttle window, run at once, give every notification its own place (1…n) and pass exactly `limit`;
 * a notification counted again (its lease ran out and two planners ran it) keeps its one place; a batch
 * of delays parks every notification it still holds, and only those.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { acceptMany } from '../../src/adapters/store/kysely-accept-many.ts';
import { kyselyNotificationTypeStore } from '../../src/adapters/store/kysely-notification-types.ts';
import { kyselyPlanQueue } from '../../src/adapters/store/kysely-plan-queue.ts';
import { kyselyServiceStore } from '../../src/adapters/store/kysely-services.ts';
import { kyselyWorkflowStore } from '../../src/adapters/store/kysely-workflows.ts';
import { runWorkflows } from '../../src/app/workflow-runner.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import type { Step } from '../../src/domain/workflow-steps.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

describe('workflow writes per planner batch', { skip: skipWithoutPg }, () => {
  let database: TestDatabase;
  let conn: Database;
  const serviceId = uuidv7();
  const clock = fakeClock(new Date('2026-03-01T00:10:00Z'));

  before(async () => {
    database = await freshDatabase();
    conn = await connect({ databaseUrl: database.url, dataDir: 'memory://', poolSize: 8 });
    await migrateToLatest(conn.db);
    await kyselyServiceStore(conn.db).create(
      { id: serviceId, name: 'batch', types: [] },
      { id: uuidv7(), publicId: `p_${uuidv7()}`, secretHash: 'x', label: null },
    );
  });

  after(async () => {
    await conn?.close();
    await database?.drop();
  });

  const defineType = (key: string, steps: Step[]) =>
    kyselyNotificationTypeStore(conn.db).put(serviceId, {
      key,
      description: '',
      category: null,
      kind: 'transactional',
      defaultChannels: ['email'],
      ttlSeconds: null,
      collapseKey: null,
      tracking: null,
      steps,
    });

  const send = async (type: string, count: number) => {
    const ids = Array.from({ length: count }, () => uuidv7());
    await acceptMany(
      conn.db,
      ids.map((id, i) => ({
        id,
        serviceId,
        type,
        recipientId: 'r1',
        channels: ['email' as const],
        data: { i },
        content: {},
        priority: 'normal' as const,
        idempotencyKey: null,
        requestHash: '',
      })),
    );
    return ids;
  };

  const deps = () => ({
    store: kyselyWorkflowStore(conn.db),
    types: kyselyNotificationTypeStore(conn.db),
    recipients: { get: async () => null },
    renderer: createTemplateRenderer(),
    clock,
    fail: (id: string, o: string, e: string) => kyselyPlanQueue(conn.db).fail(id, o, e),
    onError: (err: unknown) => {
      throw err;
    },
  });

  it('gives each of two concurrent batches’ notifications its own place, and passes `limit`', async () => {
    await defineType('alert', [{ type: 'throttle', limit: 10, window: '1h' }]);
    const ids = await send('alert', 40);
    const queue = kyselyPlanQueue(conn.db);
    const [a, b] = await Promise.all([queue.claim('a', 20, 60_000), queue.claim('b', 20, 60_000)]);
    assert.equal((a?.length ?? 0) + (b?.length ?? 0), 40);
    const passed = await Promise.all([
      runWorkflows(deps(), a ?? [], 'a'),
      runWorkflows(deps(), b ?? [], 'b'),
    ]);
    assert.equal(passed.flat().length, 10);
    const { rows: places } = await sql<{ place: number }>`
      select place from workflow_throttle_hits where notification_id = any(${ids}::uuid[]) order by place`.execute(
      conn.db,
    );
    assert.deepEqual(
      places.map((p) => p.place),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const { rows: suppressed } = await sql<{ n: number }>`
      select count(*)::int as n from deliveries
       where notification_id = any(${ids}::uuid[]) and status = 'suppressed' and reason = 'throttled'`.execute(
      conn.db,
    );
    assert.equal(suppressed[0]?.n, 30);
    // Planned again (as after a crash), a notification keeps its place and is not counted twice.
    const store = kyselyWorkflowStore(conn.db);
    const first = (a ?? [])[0];
    assert.ok(first);
    const hit = {
      n: first,
      step: 0,
      scope: 'recipient:r1',
      windowStart: new Date('2026-03-01T00:00:00Z'),
      windowEnd: new Date('2026-03-01T01:00:00Z'),
    };
    const again = await Promise.all([store.throttle([hit]), store.throttle([hit])]);
    assert.ok(again[0].get(first.id) !== undefined);
    assert.equal(again[1].get(first.id), again[0].get(first.id));
    const { rows: count } = await sql<{ count: number }>`
      select count from workflow_throttle_counts where service_id = ${serviceId} and type = 'alert'`.execute(
      conn.db,
    );
    assert.equal(count[0]?.count, 40);
  });

  it('parks a batch of delays, except the notifications it no longer holds', async () => {
    await defineType('later', [{ type: 'delay', duration: '2h' }]);
    const ids = await send('later', 12);
    const claimed = await kyselyPlanQueue(conn.db).claim('c', 12, 60_000);
    assert.equal(claimed.length, 12);
    // One was cancelled while the batch ran: it must not be parked.
    const cancelled = ids[3] as string;
    await sql`update notifications set cancelled_at = now(), lease_owner = null where id = ${cancelled}`.execute(
      conn.db,
    );
    assert.deepEqual(await runWorkflows(deps(), claimed, 'c'), []);
    const { rows } = await sql<{ id: string; plan_status: string; wake_at: Date | null }>`
      select n.id, n.plan_status, r.wake_at from notifications n left join workflow_runs r on r.notification_id = n.id
       where n.id = any(${ids}::uuid[])`.execute(conn.db);
    for (const r of rows) {
      if (r.id === cancelled) {
        assert.equal(r.wake_at, null);
        continue;
      }
      assert.equal(r.plan_status, 'waiting');
      assert.equal(r.wake_at?.toISOString(), '2026-03-01T02:10:00.000Z');
    }
    const { rows: decisions } = await sql<{ n: number }>`
      select count(*)::int as n from workflow_decisions where notification_id = any(${ids}::uuid[]) and decision = 'waiting'`.execute(
      conn.db,
    );
    assert.equal(decisions[0]?.n, 11);
  });
});
