/**
 * Runs one channel lane (app/dispatch.ts) against a real PostgreSQL database, for one delivery at a
 * time, so provider tests can assert the engine's resulting state: status, reason, attempts.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { connect, migrateToLatest, type Database } from '../../src/adapters/store/connect.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { createLane } from '../../src/app/dispatch.ts';
import type { Channel } from '../../src/domain/channels.ts';
import type { Sender } from '../../src/ports/sender.ts';
import { freshDatabase, type TestDatabase } from './pg.ts';

export interface DeliveryOutcome {
  status: string;
  reason: string | null;
  provider: string | null;
  providerMessageId: string | null;
  attempts: number;
  /** ms between the attempt's settlement and the next attempt, when requeued. */
  retryInMs: number | null;
  attemptRows: { outcome: string; error_code: string | null; provider_message_id: string | null }[];
}

export interface LaneHarness {
  database: Database;
  serviceId: string;
  /** Inserts a queued delivery (with its notification) and returns its id. */
  enqueue(channel: Channel, address: string, content: Record<string, unknown>): Promise<string>;
  /** Runs a lane with this sender until the delivery's attempt is recorded. */
  run(sender: Sender, deliveryId: string): Promise<DeliveryOutcome>;
  outcome(deliveryId: string): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

export async function laneHarness(): Promise<LaneHarness> {
  const pg: TestDatabase = await freshDatabase();
  const database = await connect({ databaseUrl: pg.url, dataDir: '/nonexistent' });
  await migrateToLatest(database.db);
  const serviceId = randomUUID();
  await database.db.insertInto('services').values({ id: serviceId, name: 'provider-tests' }).execute();
  const queue = kyselyDeliveryQueue(database.db);

  async function outcome(id: string): Promise<DeliveryOutcome> {
    const d = await database.db
      .selectFrom('deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const rows = await database.db
      .selectFrom('delivery_attempts')
      .select(['outcome', 'error_code', 'provider_message_id'])
      .where('delivery_id', '=', id)
      .orderBy('attempt')
      .execute();
    return {
      status: d.status,
      reason: d.reason,
      provider: d.provider,
      providerMessageId: d.provider_message_id,
      attempts: d.attempts,
      retryInMs:
        d.status === 'queued'
          ? new Date(d.next_attempt_at).getTime() - new Date(d.updated_at).getTime()
          : null,
      attemptRows: rows,
    };
  }

  return {
    database,
    serviceId,
    outcome,
    async enqueue(channel, address, content) {
      const notificationId = randomUUID();
      const id = randomUUID();
      await sql`insert into notifications (id, service_id, type, recipient_id, channels, request_hash, plan_status)
                values (${notificationId}, ${serviceId}, 'test', 'r1', ${JSON.stringify([channel])}, 'x', 'planned')`.execute(
        database.db,
      );
      await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, address, status, content)
                values (${id}, ${notificationId}, ${serviceId}, 'r1', ${channel}, ${address}, 'queued', ${JSON.stringify(content)})`.execute(
        database.db,
      );
      return id;
    },
    async run(sender, id) {
      const lane = createLane({
        channel: sender.channel,
        owner: `test-${randomUUID()}`,
        queue,
        senders: [sender],
        // Long backoff, pinned jitter: a requeued delivery stays put while the test looks at it.
        policy: { maxAttempts: 5, maxAgeMs: 3600_000, baseDelayMs: 60_000, maxDelayMs: 60_000 },
        leaseMs: 60_000,
        pollMs: 20,
        concurrency: 1,
        random: () => 0.5,
        onError: (err) => {
          throw err;
        },
      });
      lane.start();
      try {
        for (;;) {
          const n = await database.db
            .selectFrom('delivery_attempts')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('delivery_id', '=', id)
            .executeTakeFirstOrThrow();
          if (Number(n.n) > 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await lane.stop();
      }
      return outcome(id);
    },
    async close() {
      await database.close();
      await pg.drop();
    },
  };
}
