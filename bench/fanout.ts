/**
 * Fan-out rate against the database's own ceiling. Plans an `audience: "all"` broadcast to N seeded
 * recipients with the real planner (preferences, templates rendered per recipient, suppression list,
 * batched writes), then inserts N equally wide rows into a copy of `deliveries` (same columns,
 * indexes and constraints) with one INSERT … SELECT: the fastest those rows can get into that table.
 * Prints both and ends with one JSON line; `ratio` = planned per second / raw rows per second.
 *
 *   HERALD_TEST_PG_URL=postgres://… BENCH_FANOUT_N=200000 npm run bench -- fanout
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { connect, migrateToLatest } from '../src/adapters/store/connect.ts';
import { kyselyFanoutStore } from '../src/adapters/store/kysely-fanout-store.ts';
import { kyselyNotificationStore } from '../src/adapters/store/kysely-notifications.ts';
import { kyselyPlanQueue } from '../src/adapters/store/kysely-plan-queue.ts';
import { kyselyNotificationTypeStore } from '../src/adapters/store/kysely-notification-types.ts';
import { kyselyTemplateStore } from '../src/adapters/store/kysely-templates.ts';
import { kyselyPreferenceStore } from '../src/adapters/store/kysely-preferences.ts';
import { kyselySuppressionList } from '../src/adapters/store/kysely-receipts.ts';
import { planBroadcast } from '../src/app/fanout.ts';
import { createTemplateRenderer } from '../src/domain/templates.ts';

const N = Number(process.env.BENCH_FANOUT_N ?? 200_000);
const BATCH = Number(process.env.BENCH_FANOUT_BATCH ?? 1000);
const ADMIN_URL = process.env.HERALD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const SUBJECT = 'Trader 42 bought {{ symbol }}';
const TEXT =
  'Hi {{ recipient.name }}, suggested quantity: {{ executedQty | times: recipient.portfolio | divided_by: traderPortfolio }}';

async function admin(query: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(query);
  } finally {
    await c.end();
  }
}

const name = `herald_bench_${randomBytes(4).toString('hex')}`;
await admin(`create database ${name}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const database = await connect({ databaseUrl: url.toString(), dataDir: 'memory://' });
const { db } = database;
try {
  await migrateToLatest(db);
  const serviceId = randomUUID();
  await sql`insert into services (id, name) values (${serviceId}, 'bench')`.execute(db);
  const t0 = performance.now();
  await sql`insert into recipients (service_id, id, email, attributes)
            select ${serviceId}, 'u' || lpad(g::text, 8, '0'), 'u' || g || '@example.com',
                   jsonb_build_object('name', 'Follower ' || g, 'portfolio', 1000 + g % 100 * 1000)
              from generate_series(1, ${N}::int) g`.execute(db);
  await sql`analyze recipients`.execute(db);
  const seedMs = performance.now() - t0;

  const notificationId = randomUUID();
  await kyselyNotificationStore(db).accept({
    id: notificationId,
    serviceId,
    type: 'trade_executed',
    recipientId: '',
    audience: { kind: 'all' },
    channels: ['email'],
    data: { symbol: 'INFY', executedQty: 50, traderPortfolio: 100000 },
    content: { email: { subject: SUBJECT, text: TEXT } },
    priority: 'normal',
    idempotencyKey: null,
    requestHash: 'bench',
  });
  const [claimed] = await kyselyPlanQueue(db).claim('bench', 1, 600_000);
  if (!claimed?.audience) throw new Error('the broadcast was not claimed');

  const t1 = performance.now();
  await planBroadcast(
    {
      store: kyselyFanoutStore(db),
      types: kyselyNotificationTypeStore(db),
      templates: kyselyTemplateStore(db),
      preferences: kyselyPreferenceStore(db),
      suppressions: kyselySuppressionList(db),
      renderer: createTemplateRenderer(),
      now: () => new Date(),
      batchSize: BATCH,
      leaseMs: 600_000,
    },
    { ...claimed, audience: claimed.audience },
    'bench',
  );
  const planMs = performance.now() - t1;
  const { rows: planned } = await sql<{ n: number; width: number }>`
    select count(*)::int as n, avg(pg_column_size(content))::int as width from deliveries`.execute(db);

  // The ceiling: the same number of rows, as wide, into the same kind of table, in one statement.
  await sql`create table bench_raw (like deliveries including all)`.execute(db);
  const t2 = performance.now();
  await sql`insert into bench_raw (id, notification_id, service_id, recipient_id, channel, address, status,
                                   priority, content, reason, next_attempt_at, target, bulk)
            select gen_random_uuid(), ${notificationId}, ${serviceId}, 'u' || lpad(g::text, 8, '0'), 'email',
                   'u' || g || '@example.com', 'queued', 2,
                   jsonb_build_object('subject', 'Trader 42 bought INFY',
                                      'text', 'Hi Follower ' || g || ', suggested quantity: ' || (g % 100)),
                   null, now(), '', true
              from generate_series(1, ${N}::int) g`.execute(db);
  const rawMs = performance.now() - t2;
  const { rows: raw } = await sql<{ width: number }>`
    select avg(pg_column_size(content))::int as width from bench_raw`.execute(db);

  const plannedPerSecond = Math.round(N / (planMs / 1000));
  const rawPerSecond = Math.round(N / (rawMs / 1000));
  console.log(`seeded ${N} recipients in ${(seedMs / 1000).toFixed(1)} s`);
  console.log(
    `fan-out:  ${N} recipients planned in ${(planMs / 1000).toFixed(1)} s = ${plannedPerSecond}/s ` +
      `(${planned[0]?.n} deliveries, content ${planned[0]?.width} B, batches of ${BATCH})`,
  );
  console.log(
    `ceiling:  ${N} rows inserted in ${(rawMs / 1000).toFixed(1)} s = ${rawPerSecond}/s ` +
      `(one INSERT … SELECT, content ${raw[0]?.width} B)`,
  );
  console.log(
    JSON.stringify({
      bench: 'fanout',
      recipients: N,
      batch: BATCH,
      plannedPerSecond,
      rawInsertPerSecond: rawPerSecond,
      ratio: Number((plannedPerSecond / rawPerSecond).toFixed(3)),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} finally {
  await database.close();
  await admin(`drop database if exists ${name} with (force)`);
}
