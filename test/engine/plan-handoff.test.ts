/**
 * The planner hands deliveries to its own idle lane as it writes them (PGlite and PostgreSQL): they
 * are written already leased (`sending`, first attempt counted) and sent without a wake-up or a claim,
 * each once, with its attempt recorded. Only as many as the lane has free slots, however many batches
 * are written at once; the rest are queued as before. A notification whose planner lost its lease gets nothing written and nothing handed over,
 * and a lane that is not running has no room, so its deliveries wait queued for a claim.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { kyselyPlanQueue } from '../../src/adapters/store/kysely-plan-queue.ts';
import { kyselyRecipientStore } from '../../src/adapters/store/kysely-recipients.ts';
import { createLane } from '../../src/app/dispatch.ts';
import { createPlanner } from '../../src/app/plan.ts';
import type { PlannedNotification } from '../../src/app/plan-batch.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/domain/retry-policy.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import type { NotificationToPlan } from '../../src/domain/types.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

const NEVER = 600_000;

/** One in-app delivery per notification: what is planned is not the subject here, how it is handed on is. */
const planInApp = async (ns: NotificationToPlan[]): Promise<PlannedNotification[]> =>
  ns.map((n) => ({
    n,
    deliveries: [
      {
        id: randomUUID(),
        recipientId: n.recipientId,
        channel: 'in_app',
        address: n.recipientId,
        status: 'queued',
        reason: null,
        content: { title: 't', body: 'b' },
      },
    ],
  }));

for (const kind of ['pglite', 'postgres'] as const) {
  describe(
    `planner hand-over to its own lane on ${kind}`,
    { skip: kind === 'postgres' ? skipWithoutPg : false },
    () => {
      let database: Database;
      let pgdb: TestDatabase | undefined;

      before(async () => {
        if (kind === 'postgres') pgdb = await freshDatabase();
        database = await connect({ databaseUrl: pgdb?.url, dataDir: tempDir('herald-handoff-') });
        await migrateToLatest(database.db);
      });

      after(async () => {
        await database?.close();
        await pgdb?.drop();
      });

      /** `count` pending one-recipient notifications of a new service; their ids. */
      async function pending(count: number, leaseOwner: string | null = null): Promise<string[]> {
        const { db } = database;
        const serviceId = randomUUID();
        await sql`insert into services (id, name) values (${serviceId}, 'S')`.execute(db);
        const ids = Array.from({ length: count }, () => randomUUID());
        for (const id of ids) {
          await sql`insert into notifications (id, service_id, type, channels, request_hash, recipient_id,
                                               plan_status, lease_owner, lease_expires_at)
                    values (${id}, ${serviceId}, 't', '["in_app"]', 'h', 'r-' || ${id},
                            ${leaseOwner ? 'planning' : 'pending'}, ${leaseOwner},
                            ${leaseOwner ? sql`now() + interval '1 hour'` : null})`.execute(db);
        }
        return ids;
      }

      async function deliveriesOf(ids: string[]) {
        const { rows } = await sql<{
          status: string;
          attempts: number;
          lease_owner: string | null;
          recorded: number;
        }>`
          select d.status, d.attempts, d.lease_owner,
                 (select count(*)::int from delivery_attempts a where a.delivery_id = d.id) as recorded
            from deliveries d where d.notification_id = any(${ids}::uuid[])
           order by d.status`.execute(database.db);
        return rows;
      }

      it('an idle lane gets the deliveries as they are written and sends each once, no claim needed', async () => {
        const { db } = database;
        const ids = await pending(5);
        const sent = new Map<string, number>();
        const errors: string[] = [];
        // Neither loop polls within the test, and nothing wakes the lane: it can only get work handed over.
        const lane = createLane({
          channel: 'in_app',
          owner: 'w1',
          queue: kyselyDeliveryQueue(db),
          senders: [
            {
              name: 'instant',
              channel: 'in_app',
              send: async (m) => {
                sent.set(m.deliveryId, (sent.get(m.deliveryId) ?? 0) + 1);
                return { providerMessageId: null };
              },
            },
          ],
          policy: DEFAULT_RETRY_POLICY,
          leaseMs: 60_000,
          pollMs: NEVER,
          concurrency: 8,
          onError: (err) => errors.push(String(err)),
        });
        lane.start();
        while (lane.room() === 0) await new Promise((r) => setTimeout(r, 5));
        const planner = createPlanner({
          owner: 'w1',
          queue: kyselyPlanQueue(db),
          recipients: kyselyRecipientStore(db),
          renderer: createTemplateRenderer(),
          leaseMs: 60_000,
          pollMs: NEVER,
          concurrency: 2,
          onError: (err) => errors.push(String(err)),
          batch: planInApp,
          handoff: {
            leaseMs: 60_000,
            room: (channel) => (channel === 'in_app' ? lane.room() : 0),
            offer: (_channel, ds) => lane.offer(ds),
          },
        });
        planner.start();
        try {
          while (sent.size < 5) await new Promise((r) => setTimeout(r, 5));
        } finally {
          await planner.stop();
          await lane.stop();
        }
        assert.deepEqual(errors, []);
        assert.ok(
          [...sent.values()].every((n) => n === 1),
          'each sent once',
        );
        const rows = await deliveriesOf(ids);
        assert.equal(rows.length, 5);
        for (const r of rows) {
          assert.equal(r.status, 'sent');
          assert.equal(r.attempts, 1, 'the attempt counted as a claim counts it');
          assert.equal(r.recorded, 1, 'and recorded');
          assert.equal(r.lease_owner, null, 'nothing left leased');
        }
      });

      it('batches written at the same time share the lane’s room: no more leased than it has slots', async () => {
        const { db } = database;
        const ids = await pending(20);
        let answer: () => void = () => undefined;
        const answered = new Promise<void>((r) => (answer = r));
        const started = new Set<string>();
        const errors: string[] = [];
        // Sends hang until the test lets them go, so the slots the hand-over fills stay taken.
        const lane = createLane({
          channel: 'in_app',
          owner: 'w4',
          queue: kyselyDeliveryQueue(db),
          senders: [
            {
              name: 'held',
              channel: 'in_app',
              send: async (m) => {
                started.add(m.deliveryId);
                await answered;
                return { providerMessageId: null };
              },
            },
          ],
          policy: DEFAULT_RETRY_POLICY,
          leaseMs: 60_000,
          pollMs: NEVER,
          concurrency: 12,
          onError: (err) => errors.push(String(err)),
        });
        lane.start();
        while (lane.room() === 0) await new Promise((r) => setTimeout(r, 5));
        // Four batches of five, each write held until all four are under way: every batch reads the
        // lane's room while none of them has offered anything yet.
        const store = kyselyPlanQueue(db);
        const takes: number[] = [];
        let writing = 0;
        let allWriting: () => void = () => undefined;
        const fourWriting = new Promise<void>((r) => (allWriting = r));
        const queue: typeof store = {
          ...store,
          async completeMany(owner, planned, handoff) {
            takes.push(handoff?.take.get('in_app') ?? 0);
            if (++writing === 4) allWriting();
            await fourWriting;
            return store.completeMany(owner, planned, handoff);
          },
        };
        const planner = createPlanner({
          owner: 'w4',
          queue,
          recipients: kyselyRecipientStore(db),
          renderer: createTemplateRenderer(),
          leaseMs: 60_000,
          pollMs: NEVER,
          concurrency: 4,
          batchSize: 5,
          onError: (err) => errors.push(String(err)),
          batch: planInApp,
          handoff: {
            leaseMs: 60_000,
            room: (channel) => (channel === 'in_app' ? lane.room() : 0),
            offer: (_channel, ds) => lane.offer(ds),
          },
        });
        planner.start();
        try {
          await fourWriting;
          while ((await deliveriesOf(ids)).length < 20) await new Promise((r) => setTimeout(r, 5));
          while (started.size < 12) await new Promise((r) => setTimeout(r, 5));
          assert.deepEqual(
            takes.toSorted((a, b) => b - a),
            [5, 5, 2, 0],
            'each batch took what it had, up to what the others left',
          );
          const rows = await deliveriesOf(ids);
          assert.equal(rows.filter((r) => r.status === 'sending').length, 12, 'as many leased as slots');
          assert.equal(rows.filter((r) => r.status === 'queued' && r.lease_owner === null).length, 8);
          assert.equal(lane.room(), 0);
        } finally {
          answer();
          await planner.stop();
          await lane.stop();
        }
        assert.deepEqual(errors, []);
        assert.equal(started.size, 12, 'the handed-over ones sent; the rest wait for a claim');
        const rows = await deliveriesOf(ids);
        assert.deepEqual(
          rows.map((r) => [r.status, r.attempts, r.recorded]).toSorted(),
          [
            ...Array.from({ length: 8 }, () => ['queued', 0, 0]),
            ...Array.from({ length: 12 }, () => ['sent', 1, 1]),
          ].toSorted(),
        );
      });

      it('hands over only what the lane has room for; the rest is queued for a claim', async () => {
        const ids = await pending(5, 'w2');
        const { db } = database;
        const notifications = (
          await sql<{ id: string; service_id: string }>`
            select id, service_id from notifications where id = any(${ids}::uuid[])`.execute(db)
        ).rows.map(
          (r) =>
            ({
              id: r.id,
              serviceId: r.service_id,
              recipientId: `r-${r.id}`,
              priority: 'normal',
            }) as NotificationToPlan,
        );
        const planned = await planInApp(notifications);
        const handed = await kyselyPlanQueue(db).completeMany('w2', planned, {
          leaseMs: 60_000,
          take: new Map([['in_app', 2]]),
        });
        assert.equal(handed.length, 2);
        assert.ok(handed.every((d) => d.channel === 'in_app' && d.attempts === 1));
        const rows = await deliveriesOf(ids);
        assert.deepEqual(
          rows.map((r) => [r.status, r.attempts, r.lease_owner]),
          [
            ['queued', 0, null],
            ['queued', 0, null],
            ['queued', 0, null],
            ['sending', 1, 'w2'],
            ['sending', 1, 'w2'],
          ],
        );
        // Handed back unsent (a stopping lane's release): queued again, the attempt not counted.
        await kyselyDeliveryQueue(db).release(
          handed.map((d) => d.id),
          'w2',
        );
        assert.deepEqual(
          (await deliveriesOf(ids)).map((r) => [r.status, r.attempts]),
          Array.from({ length: 5 }, () => ['queued', 0]),
        );
      });

      it('writes and hands over nothing for a notification whose planner lost its lease', async () => {
        const ids = await pending(1, 'someone-else');
        const { rows } = await sql<{ service_id: string }>`
          select service_id from notifications where id = ${ids[0]}`.execute(database.db);
        const planned = await planInApp([
          {
            id: ids[0],
            serviceId: rows[0]?.service_id,
            recipientId: `r-${ids[0]}`,
            priority: 'normal',
          } as NotificationToPlan,
        ]);
        const handed = await kyselyPlanQueue(database.db).completeMany('w3', planned, {
          leaseMs: 60_000,
          take: new Map([['in_app', 10]]),
        });
        assert.deepEqual(handed, []);
        assert.deepEqual(await deliveriesOf(ids), []);
      });
    },
  );
}
