/**
 * A lane that settles in batches keeps its guarantees on a real store (PGlite and PostgreSQL): every
 * delivery it sent has its attempt and state written once stop() returns (the drain waits for the
 * outcomes still being written, not only for the sends), nothing is left leased, and each delivery
 * was sent once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { createLane } from '../../src/app/dispatch.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/domain/retry-policy.ts';
import type { DeliveryQueue } from '../../src/ports/store.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { freshDatabase, skipWithoutPg, type TestDatabase } from '../helpers/pg.ts';

for (const kind of ['pglite', 'postgres'] as const) {
  describe(
    `lane with batched settle on ${kind}`,
    { skip: kind === 'postgres' ? skipWithoutPg : false },
    () => {
      let database: Database;
      let pgdb: TestDatabase | undefined;

      before(async () => {
        if (kind === 'postgres') pgdb = await freshDatabase();
        database = await connect({ databaseUrl: pgdb?.url, dataDir: tempDir('herald-lane-') });
        await migrateToLatest(database.db);
      });

      after(async () => {
        await database?.close();
        await pgdb?.drop();
      });

      it('writes every sent outcome before stop() returns, in batches, once per delivery', async () => {
        const { db } = database;
        const serviceId = randomUUID();
        const notificationId = randomUUID();
        await sql`insert into services (id, name) values (${serviceId}, 'S')`.execute(db);
        await sql`insert into notifications (id, service_id, type, channels, request_hash)
                values (${notificationId}, ${serviceId}, 't', '["in_app"]', 'h')`.execute(db);
        await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, address)
                select gen_random_uuid(), ${notificationId}, ${serviceId}, 'r' || i, 'in_app', 'queued', 'r' || i
                  from generate_series(1, 300) i`.execute(db);
        const real = kyselyDeliveryQueue(db);
        const batches: number[] = [];
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        // The store's own settle, held back until the test lets it through: outcomes pile up meanwhile.
        const queue: DeliveryQueue = {
          ...real,
          settleMany: async (owner, items) => {
            batches.push(items.length);
            await gate;
            return real.settleMany(owner, items);
          },
        };
        const sent = new Map<string, number>();
        const lane = createLane({
          channel: 'in_app',
          owner: 'w1',
          queue,
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
          pollMs: 50,
          concurrency: 8,
          onError: (err) => assert.fail(String(err)),
        });
        lane.start();
        while (sent.size < 40) await new Promise((r) => setTimeout(r, 5));
        const stopped = lane.stop();
        let stopReturned = false;
        void stopped.then(() => (stopReturned = true));
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(stopReturned, false, 'stop() waits for the outcomes still being written');
        release();
        await stopped;

        assert.ok(
          batches.some((n) => n > 1),
          `outcomes were written together (batches: ${batches.join(',')})`,
        );
        assert.ok(
          [...sent.values()].every((n) => n === 1),
          'no delivery was sent twice',
        );
        const { rows } = await sql<{ status: string; n: number; attempts: number }>`
        select d.status, count(*)::int as n, count(a.id)::int as attempts
          from deliveries d left join delivery_attempts a on a.delivery_id = d.id
         group by d.status order by d.status`.execute(db);
        const byStatus = Object.fromEntries(rows.map((r) => [r.status, r]));
        assert.equal(byStatus.sending, undefined, 'nothing is left leased');
        assert.equal(byStatus.sent?.n, sent.size, 'every delivery sent is recorded sent');
        assert.equal(byStatus.sent?.attempts, sent.size, 'with exactly one attempt each');
        assert.equal(byStatus.queued?.attempts ?? 0, 0, 'the rest were given back untouched');
      });
    },
  );
}
