/**
 * The in-app lane under a backlog, on a real store (PGlite and PostgreSQL). The inbox writes the sends
 * in flight together, so the lane keeps as many in flight as its sender groups (`groupsSends`), not
 * `worker.concurrency`: a backlog goes to the inbox in a few big transactions instead of one per 16
 * deliveries. A recipient named several times in one batch gets its items in order, each once, and
 * every delivery is recorded sent once with its attempt.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createInAppSender } from '../../src/adapters/channels/in-app/in-app-sender.ts';
import { pgNotifyBus } from '../../src/adapters/realtime/pg-notify-bus.ts';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { kyselyInboxStore } from '../../src/adapters/store/kysely-inbox.ts';
import { createLane } from '../../src/app/dispatch.ts';
import { inboxDeliverer } from '../../src/app/inbox.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/domain/retry-policy.ts';
import type { InboxStore, RecipientRef } from '../../src/ports/inbox.ts';
import type { OutgoingMessage } from '../../src/ports/sender.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

const until = async (done: () => boolean, what: string) => {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), what);
};

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`in-app lane on ${kind}`, { skip: kind === 'postgres' ? skipWithoutPg : false }, () => {
    let database: Database;
    let pgdb: TestDatabase | undefined;

    before(async () => {
      if (kind === 'postgres') pgdb = await freshDatabase();
      database = await connect({ databaseUrl: pgdb?.url, dataDir: tempDir('herald-inapp-lane-') });
      await migrateToLatest(database.db);
    });

    after(async () => {
      await database?.close();
      await pgdb?.drop();
    });

    /** `count` queued in-app deliveries of one notification, to `recipients` recipients in turn. */
    async function backlog(count: number, recipients: number): Promise<{ serviceId: string }> {
      const { db } = database;
      const serviceId = randomUUID();
      const notificationId = randomUUID();
      await sql`insert into services (id, name) values (${serviceId}, 'S')`.execute(db);
      await sql`insert into notifications (id, service_id, type, channels, request_hash)
                values (${notificationId}, ${serviceId}, 't', '["in_app"]', 'h')`.execute(db);
      // created_at one microsecond apart, so a claim takes them in this order; `target` tells the
      // deliveries of one notification to one recipient apart.
      await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status,
                                        address, target, content, created_at)
                select gen_random_uuid(), ${notificationId}, ${serviceId}, 'r' || (i % ${recipients}),
                       'in_app', 'queued', 'r' || (i % ${recipients}), i::text,
                       jsonb_build_object('title', 'n' || i, 'body', 'b'),
                       now() + i * interval '1 microsecond'
                  from generate_series(0, ${count - 1}) i`.execute(db);
      return { serviceId };
    }

    it('keeps as many sends in flight as its sender groups, whatever worker.concurrency is', async () => {
      const { serviceId } = await backlog(150, 150);
      const inFlight: (() => void)[] = [];
      let most = 0;
      const lane = createLane({
        channel: 'in_app',
        owner: 'w-groups',
        queue: kyselyDeliveryQueue(database.db),
        senders: [
          {
            name: 'grouping',
            channel: 'in_app',
            groupsSends: 100,
            send: () =>
              new Promise((resolve) => {
                inFlight.push(() => resolve({ providerMessageId: null }));
                most = Math.max(most, inFlight.length);
              }),
          },
        ],
        policy: DEFAULT_RETRY_POLICY,
        leaseMs: 60_000,
        pollMs: 50,
        concurrency: 8,
        onError: (err) => assert.fail(String(err)),
      });
      lane.start();
      await until(() => inFlight.length >= 100, 'a hundred sends in flight at once');
      assert.equal(most, 100, 'and no more than the sender groups');
      // Let them all through; the last fifty follow.
      let released = 0;
      for (let i = 0; i < 2000 && released < 150; i++) {
        const go = inFlight.splice(0);
        released += go.length;
        for (const g of go) g();
        await new Promise((r) => setTimeout(r, 10));
      }
      await lane.stop();
      assert.equal(released, 150, 'each delivery sent once');
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from deliveries
         where service_id = ${serviceId} and status = 'sent' and lease_owner is null`.execute(database.db);
      assert.equal(rows[0]?.n, 150, 'every delivery recorded sent, none left leased');
    });

    it('writes a backlog to the inbox in big batches, each recipient in order, each item once', async () => {
      const { serviceId } = await backlog(300, 100);
      const real = kyselyInboxStore(database.db);
      const batches: number[] = [];
      const store: InboxStore = {
        ...real,
        deliverMany: (ds, now) => {
          batches.push(ds.length);
          return real.deliverMany(ds, now);
        },
      };
      const announced: RecipientRef[] = [];
      const bus = pgNotifyBus(database);
      const deliver = inboxDeliverer({
        store,
        bus: { ...bus, publishMany: async (refs) => void announced.push(...refs) },
      });
      const lane = createLane({
        channel: 'in_app',
        owner: 'w-inbox',
        queue: kyselyDeliveryQueue(database.db),
        senders: [createInAppSender((m: OutgoingMessage<'in_app'>) => deliver(m))],
        policy: DEFAULT_RETRY_POLICY,
        leaseMs: 60_000,
        pollMs: 50,
        concurrency: 16,
        onError: (err) => assert.fail(String(err)),
      });
      lane.start();
      const sent = async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from deliveries where service_id = ${serviceId} and status = 'sent'`.execute(
          database.db,
        );
        return rows[0]?.n ?? 0;
      };
      for (let i = 0; i < 2000 && (await sent()) < 300; i++) await new Promise((r) => setTimeout(r, 10));
      await lane.stop();
      assert.equal(await sent(), 300, 'every delivery recorded sent');
      assert.ok(
        Math.max(...batches) > 16,
        `more deliveries per inbox write than worker.concurrency (batches: ${batches.join(',')})`,
      );
      const { rows: attempts } = await sql<{ n: number }>`
        select count(*)::int as n from delivery_attempts a join deliveries d on d.id = a.delivery_id
         where d.service_id = ${serviceId}`.execute(database.db);
      assert.equal(attempts[0]?.n, 300, 'one attempt each');
      for (const r of [0, 1, 57, 99]) {
        const who = { serviceId, recipientId: `r${r}` };
        const events = await real.eventsSince(who, 0, 10);
        assert.deepEqual(
          events.map((e) => e.seq),
          [1, 2, 3],
        );
        assert.deepEqual(
          events.map((e) => (e.body.type === 'item.created' ? e.body.item.title : e.body.type)),
          [`n${r}`, `n${r + 100}`, `n${r + 200}`],
          `recipient r${r}'s items in the order they were sent`,
        );
      }
      const heard = new Set(announced.filter((r) => r.serviceId === serviceId).map((r) => r.recipientId));
      assert.equal(heard.size, 100, 'every recipient was announced');
    });
  });
}
