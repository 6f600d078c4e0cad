/**
 * Herald's lane alone: `n` queued deliveries in Herald's own `deliveries` table, claimed, handed to
 * a sender that answers at once, and settled (attempt recorded, status log and outbox written by the
 * triggers), by one lane of the given concurrency in this process. No planning, no HTTP.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { connect } from '../../src/adapters/store/connect.ts';
import { kyselyDeliveryQueue } from '../../src/adapters/store/kysely-delivery-queue.ts';
import { createLane } from '../../src/app/dispatch.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/domain/retry-policy.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function heraldLane(
  url: string,
  n: number,
  concurrency: number,
  onError: (err: unknown) => void,
): Promise<number> {
  const database = await connect({ databaseUrl: url, dataDir: '/nonexistent', poolSize: 10 });
  const { db } = database;
  const serviceId = randomUUID();
  const notificationId = randomUUID();
  await sql`insert into services (id, name) values (${serviceId}, 'lane-bench')`.execute(db);
  await sql`insert into notifications (id, service_id, type, channels, request_hash)
            values (${notificationId}, ${serviceId}, 't', '["in_app"]', 'h')`.execute(db);
  await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, address, content)
            select gen_random_uuid(), ${notificationId}, ${serviceId}, 'r' || i, 'in_app', 'queued', 'r' || i,
                   '{"title":"t","body":"b"}'
              from generate_series(1, ${n}) i`.execute(db);
  await sql`analyze deliveries`.execute(db);
  let done = 0;
  const lane = createLane({
    channel: 'in_app',
    owner: 'lane-bench',
    queue: kyselyDeliveryQueue(db),
    senders: [{ name: 'instant', channel: 'in_app', send: async () => ({ providerMessageId: null }) }],
    policy: DEFAULT_RETRY_POLICY,
    leaseMs: 60_000,
    pollMs: 50,
    concurrency,
    onError,
    onSettled: () => {
      done += 1;
    },
  });
  const t0 = performance.now();
  lane.start();
  while (done < n) await sleep(2);
  const perSecond = n / ((performance.now() - t0) / 1000);
  await lane.stop();
  await database.close();
  return perSecond;
}
