/**
 * Fan-out rate against the database's own ceilings, measured in the same run with no Herald code in
 * them. Plans two `audience: "all"` broadcasts to N seeded recipients with the real planner
 * (preferences, suppression list, batched writes): one whose text is the same for everyone (`shared`:
 * rendered once, written set-based, domain/shared-broadcast.ts) and one that reads each recipient's
 * name and portfolio (`personalised`: decided and rendered recipient by recipient). It times two plain
 * `INSERT … SELECT`s of N equally wide rows over a bare `pg` connection:
 *   - into Herald's own `deliveries` table (its indexes, foreign key and triggers), for another
 *     notification; the table is emptied before each run;
 *   - into a minimal queue table (id, three text columns, jsonb, one partial index).
 * Each ceiling runs before and after Herald and the faster of the two counts, so noise on this shared
 * machine favours the ceilings, not Herald. Ends with one JSON line; goals, for each broadcast:
 * ≥ 0.5 × the first, ≥ 0.2 × the second.
 *
 *   HERALD_TEST_PG_URL=postgres://… BENCH_FANOUT_N=200000 BENCH_FANOUT_WRITES=2 npm run bench -- fanout
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
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
/** Batches written at once by the planner (its default is 2). */
const WRITES = Number(process.env.BENCH_FANOUT_WRITES ?? 2);
const ADMIN_URL = process.env.HERALD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const SUBJECT = 'Trader 42 bought {{ symbol }}';
const TEXT =
  'Hi {{ recipient.name }}, suggested quantity: {{ executedQty | times: recipient.portfolio | divided_by: traderPortfolio }}';
/** The same for every recipient (the case): about as wide once rendered. */
const SHARED_TEXT =
  'Hi, suggested quantity per 100,000 of portfolio: {{ executedQty | times: 100000 | divided_by: traderPortfolio }}';

async function admin(query: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(query);
  } finally {
    await c.end();
  }
}

/** `rows` rows as wide as the planner's, for `notification`; `into` picks the target table's shape. */
function ceilingInsert(into: 'deliveries' | 'bench_queue', notification: string, service: string): string {
  const content = `jsonb_build_object('subject', 'Trader 42 bought INFY',
                     'text', 'Hi Follower ' || g || ', suggested quantity: ' || (g % 100))`;
  return into === 'deliveries'
    ? `insert into deliveries (id, notification_id, service_id, recipient_id, channel, address, status,
                               priority, content, next_attempt_at, target, bulk)
       select gen_random_uuid(), '${notification}', '${service}', 'u' || lpad(g::text, 8, '0'), 'email',
              'u' || g || '@example.com', 'queued', 2, ${content}, now(), '', true
         from generate_series(1, ${N}::int) g`
    : `insert into bench_queue (kind, recipient, status, payload)
       select 'email', 'u' || lpad(g::text, 8, '0'), 'queued', ${content}
         from generate_series(1, ${N}::int) g`;
}

/** Rows per second of one plain statement on a bare connection, after `before` (not timed). */
async function timed(url: string, before: string, statement: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(before);
    const t = performance.now();
    await c.query(statement);
    return Math.round(N / ((performance.now() - t) / 1000));
  } finally {
    await c.end();
  }
}

const name = `herald_bench_${randomBytes(4).toString('hex')}`;
await admin(`create database ${name}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const dbUrl = url.toString();
const database = await connect({ databaseUrl: dbUrl, dataDir: 'memory://' });
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

  // The ceilings' own notification row (the foreign key needs one) and queue table.
  const ceilingNotification = randomUUID();
  await sql`insert into notifications (id, service_id, type, channels, request_hash, plan_status)
            values (${ceilingNotification}, ${serviceId}, 'ceiling', '["email"]', 'bench', 'planned')`.execute(
    db,
  );
  await sql`create table bench_queue (id bigint generated always as identity primary key, kind text not null,
              recipient text not null, status text not null, payload jsonb not null)`.execute(db);
  await sql`create index bench_queue_due on bench_queue (kind, id) where status = 'queued'`.execute(db);
  const ceilings = async () => ({
    deliveries: await timed(
      dbUrl,
      'truncate deliveries cascade; checkpoint',
      ceilingInsert('deliveries', ceilingNotification, serviceId),
    ),
    queue: await timed(dbUrl, 'truncate bench_queue; checkpoint', ceilingInsert('bench_queue', '', '')),
  });
  const before = await ceilings();
  await sql`truncate deliveries cascade`.execute(db);
  await sql`checkpoint`.execute(db);

  /** Plans one `audience: "all"` broadcast with `text` as its email text; the table is emptied first. */
  const broadcast = async (text: string, setBased: boolean) => {
    await sql`truncate deliveries cascade`.execute(db);
    await sql`checkpoint`.execute(db);
    const notificationId = randomUUID();
    await kyselyNotificationStore(db).accept({
      id: notificationId,
      serviceId,
      type: 'trade_executed',
      recipientId: '',
      audience: { kind: 'all' },
      channels: ['email'],
      data: { symbol: 'INFY', executedQty: 50, traderPortfolio: 100000 },
      content: { email: { subject: SUBJECT, text } },
      priority: 'normal',
      idempotencyKey: null,
      requestHash: 'bench',
    });
    const claimed = (await kyselyPlanQueue(db).claim('bench', 10, 600_000)).find(
      (c) => c.id === notificationId,
    );
    if (!claimed?.audience) throw new Error('the broadcast was not claimed');
    const t = performance.now();
    const cpu0 = process.cpuUsage();
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
        writesInFlight: WRITES,
        leaseMs: 600_000,
        setBased,
      },
      { ...claimed, audience: claimed.audience },
      'bench',
    );
    const planMs = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    const { rows: planned } = await sql<{ n: number; recipients: number; width: number }>`
      select count(*)::int as n, count(distinct recipient_id)::int as recipients,
             avg(pg_column_size(content))::int as width
        from deliveries where notification_id = ${notificationId} and status = 'queued'`.execute(db);
    if (planned[0]?.n !== N || planned[0]?.recipients !== N)
      throw new Error(`expected ${N} queued deliveries, found ${planned[0]?.n}`);
    return {
      plannedPerSecond: Math.round(N / (planMs / 1000)),
      // This process's CPU per recipient while planning: steadier than the rate on a shared machine.
      cpuUsPerRecipient: Number(((cpu.user + cpu.system) / N).toFixed(1)),
      planMs,
      width: planned[0]?.width,
    };
  };

  const personalised = await broadcast(TEXT, true);
  const shared = await broadcast(SHARED_TEXT, true);

  const after = await ceilings();
  const deliveriesCeiling = Math.max(before.deliveries, after.deliveries);
  const queueCeiling = Math.max(before.queue, after.queue);
  const figures = (r: typeof shared) => {
    const toDeliveries = Number((r.plannedPerSecond / deliveriesCeiling).toFixed(3));
    const toQueue = Number((r.plannedPerSecond / queueCeiling).toFixed(3));
    return {
      plannedPerSecond: r.plannedPerSecond,
      ratioToDeliveries: toDeliveries,
      ratioToQueue: toQueue,
      plannerCpuUsPerRecipient: r.cpuUsPerRecipient,
      goals: { deliveries: toDeliveries >= 0.5, queue: toQueue >= 0.2 },
    };
  };
  console.log(`seeded ${N} recipients in ${(seedMs / 1000).toFixed(1)} s`);
  for (const [label, r] of [
    ['shared message', shared],
    ['personalised', personalised],
  ] as const) {
    console.log(
      `fan-out, ${label}: ${N} recipients planned in ${(r.planMs / 1000).toFixed(1)} s = ${r.plannedPerSecond}/s ` +
        `(content ${r.width} B, batches of ${BATCH})`,
    );
  }
  console.log(
    `ceiling:  INSERT … SELECT into deliveries ${before.deliveries}/s before, ${after.deliveries}/s after; ` +
      `into a minimal queue table ${before.queue}/s before, ${after.queue}/s after`,
  );
  console.log(
    JSON.stringify({
      bench: 'fanout',
      recipients: N,
      batch: BATCH,
      writesInFlight: WRITES,
      deliveriesInsertPerSecond: deliveriesCeiling,
      queueInsertPerSecond: queueCeiling,
      // The case: a message the same for everyone, rendered once and written set-based.
      shared: figures(shared),
      // Each recipient's own text (their name and portfolio): decided and rendered one by one.
      personalised: figures(personalised),
      loadAverage: Number(loadavg()[0]?.toFixed(1)),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} finally {
  await database.close();
  await admin(`drop database if exists ${name} with (force)`);
}
