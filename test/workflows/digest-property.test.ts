/**
 * Property: for random interleavings of events (over a few keys), planner batches run concurrently by
 * two owners, planners that die holding their leases (restarts), early releases and window closes,
 * every event ends up in exactly one digest message, and no digest gets two messages. Runs the real
 * step runner and store on PostgreSQL, so concurrent operations really interleave in the database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { acceptMany } from '../../src/adapters/store/kysely-accept-many.ts';
import { kyselyNotificationTypeStore } from '../../src/adapters/store/kysely-notification-types.ts';
import { kyselyPlanQueue } from '../../src/adapters/store/kysely-plan-queue.ts';
import { kyselyServiceStore } from '../../src/adapters/store/kysely-services.ts';
import { kyselyWorkflowStore } from '../../src/adapters/store/kysely-workflows.ts';
import { runWorkflows, sweepWorkflows } from '../../src/app/workflow-runner.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

type Op =
  | { kind: 'event'; key: number }
  | { kind: 'plan'; owner: number }
  | { kind: 'die'; owner: number }
  | { kind: 'release'; key: number }
  | { kind: 'tick' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('event' as const), key: fc.integer({ min: 0, max: 2 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('plan' as const), owner: fc.integer({ min: 0, max: 1 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('die' as const), owner: fc.integer({ min: 0, max: 1 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('release' as const), key: fc.integer({ min: 0, max: 2 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const) }) },
);

describe('digest property: every event in exactly one message', { skip: skipWithoutPg }, () => {
  let database: TestDatabase;
  let conn: Database;
  const serviceId = uuidv7();

  before(async () => {
    database = await freshDatabase();
    conn = await connect({ databaseUrl: database.url, dataDir: 'memory://', poolSize: 8 });
    await migrateToLatest(conn.db);
    await kyselyServiceStore(conn.db).create(
      { id: serviceId, name: 'prop', types: [] },
      { id: uuidv7(), publicId: `p_${uuidv7()}`, secretHash: 'x', label: null },
    );
    await kyselyNotificationTypeStore(conn.db).put(serviceId, {
      key: 'comment',
      description: '',
      category: null,
      kind: 'transactional',
      defaultChannels: ['email'],
      ttlSeconds: null,
      collapseKey: null,
      tracking: null,
      steps: [{ type: 'digest', window: '1h', key: '{{ k }}', maxItems: 7 }],
    });
  });

  after(async () => {
    await conn?.close();
    await database?.drop();
  });

  it('holds for random interleavings', async () => {
    const db = () => conn.db;
    const store = kyselyWorkflowStore(conn.db);
    const queue = kyselyPlanQueue(conn.db);
    const types = kyselyNotificationTypeStore(conn.db);
    const renderer = createTemplateRenderer();
    let run = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        async (rounds) => {
          run++;
          const recipient = `r${run}`;
          const clock = fakeClock(new Date('2026-03-01T00:00:00Z'));
          const owners = [`a${run}`, `b${run}`];
          const deps = {
            store,
            types,
            recipients: { get: async () => null },
            renderer,
            clock,
            fail: (id: string, o: string, e: string) => queue.fail(id, o, e),
            onError: (err: unknown) => {
              throw err;
            },
          };
          const events: string[] = [];
          /** Claims this recipient's pending notifications, runs their steps, plans what is left (no deliveries). */
          const plan = async (owner: string, finish = true) => {
            const claimed = (await queue.claim(owner, 10, 60_000)).filter((n) => n.recipientId === recipient);
            if (!finish) return;
            const rest = await runWorkflows(deps, claimed, owner);
            await queue.completeMany(
              owner,
              rest.map((n) => ({ n, deliveries: [] })),
            );
          };
          const openDigest = async (key: number) => {
            const open = await store.list(serviceId, { recipient, status: 'open' });
            return open.find((d) => d.key === String(key));
          };
          const apply = async (op: Op) => {
            switch (op.kind) {
              case 'event': {
                const id = uuidv7();
                events.push(id);
                await acceptMany(db(), [
                  {
                    id,
                    serviceId,
                    type: 'comment',
                    recipientId: recipient,
                    channels: ['email'],
                    data: { k: op.key, event: id },
                    content: {},
                    priority: 'normal',
                    idempotencyKey: null,
                    requestHash: '',
                  },
                ]);
                return;
              }
              case 'plan':
                return plan(owners[op.owner] as string);
              case 'die':
                // A planner claims and dies: its leases run out and another planner takes the work.
                await plan(`dead-${run}-${op.owner}`, false);
                await sql`update notifications set lease_expires_at = now() - interval '1 second'
                         where lease_owner like ${`dead-${run}-%`}`.execute(db());
                return;
              case 'release': {
                const d = await openDigest(op.key);
                if (d) await store.release(serviceId, d.id, clock.now());
                return;
              }
              case 'tick':
                clock.advance(30 * 60_000);
                await sweepWorkflows({ store, clock });
                return;
            }
          };
          for (const round of rounds) await Promise.all(round.map(apply));
          // Drain: plan everything, close every window, plan the messages.
          for (let i = 0; i < 3; i++) {
            await sql`update notifications set lease_expires_at = now() - interval '1 second'
                     where recipient_id = ${recipient} and plan_status = 'planning'`.execute(db());
            await plan(owners[0] as string);
            clock.advance(2 * 3_600_000);
            await sweepWorkflows({ store, clock });
          }
          await plan(owners[1] as string);

          const { rows: messages } = await sql<{
            id: string;
            idempotency_key: string;
            data: { digest: { id: string; count: number; items: { event: string }[] } };
          }>`
          select id, idempotency_key, data from notifications
           where recipient_id = ${recipient} and idempotency_key like 'digest:%'`.execute(db());
          const seen = new Map<string, number>();
          for (const m of messages) {
            assert.ok(m.data.digest.items.length <= 7, 'maxItems bounds a digest');
            assert.equal(m.data.digest.count, m.data.digest.items.length);
            for (const item of m.data.digest.items) seen.set(item.event, (seen.get(item.event) ?? 0) + 1);
          }
          const perDigest = new Set(messages.map((m) => m.data.digest.id));
          assert.equal(perDigest.size, messages.length, 'a digest has one message');
          for (const e of events) assert.equal(seen.get(e), 1, `event ${e} is in exactly one message`);
          assert.equal(seen.size, events.length);
          const { rows: open } = await sql<{ n: number }>`
          select count(*)::int as n from digests where recipient_id = ${recipient} and status = 'open'`.execute(
            db(),
          );
          assert.equal(open[0]?.n, 0);
          const { rows: unplanned } = await sql<{ n: number }>`
          select count(*)::int as n from notifications where recipient_id = ${recipient} and plan_status <> 'planned'`.execute(
            db(),
          );
          assert.equal(unplanned[0]?.n, 0, 'messages are planned too');
        },
      ),
      { numRuns: 25 },
    );
  });
});
