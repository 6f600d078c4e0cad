/**
 * Analytics on a few million status changes, on PostgreSQL (a fresh database on the test server).
 *
 *   seed     BENCH_ROWS status changes (default 3,000,000) over 30 days, 5 services, 3 channels,
 *            4 providers (two for email), 4 types, written with generate_series straight into the status log
 *            (the trigger's output) with BENCH_ROWS / 3 notifications behind them.
 *   rollup   one run of the rollup job over all of it (the worker runs it every few seconds, so in
 *            production each run reads only the last seconds).
 *   query    the analytics API's query for one service over 30 days, hourly by channel and daily by
 *            provider, median of 5; against it, the same numbers by a direct scan of the log.
 *
 * Ends with one JSON line.
 */
import { sql } from 'kysely';
import { connect, migrateToLatest } from '../src/adapters/store/connect.ts';
import { kyselyAnalytics } from '../src/adapters/store/kysely-analytics.ts';
import { freshDatabase } from '../test/helpers/pg.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 3_000_000);
const NOTIFICATIONS = Math.ceil(ROWS / 3);
const DAY = 24 * 3_600_000;
const say = (line: string) => process.stderr.write(`${line}\n`);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const database = await freshDatabase();
const store = await connect({ databaseUrl: database.url, dataDir: 'memory://' });
const db = store.db;
try {
  await migrateToLatest(db);
  const start = new Date(Date.UTC(2026, 0, 1));
  const [, seedMs] = await timed(async () => {
    await sql`insert into services (id, name)
              select ('00000000-0000-4000-8000-' || lpad(s::text, 12, '0'))::uuid, 'bench ' || s
                from generate_series(1, 5) s`.execute(db);
    await sql`insert into notifications (id, service_id, type, channels, request_hash, plan_status, created_at)
              select ('00000000-0000-4000-9000-' || lpad(i::text, 12, '0'))::uuid,
                     ('00000000-0000-4000-8000-' || lpad((1 + i % 5)::text, 12, '0'))::uuid,
                     (array['order_shipped','password_reset','promo','digest'])[1 + i % 4],
                     '[]', 'h', 'planned',
                     ${start}::timestamptz + (i::double precision / ${NOTIFICATIONS}) * interval '30 days'
                from generate_series(1, ${NOTIFICATIONS}) i`.execute(db);
    await sql`insert into delivery_status_log (delivery_id, notification_id, service_id, channel, provider, status, occurred_at)
              select gen_random_uuid(), n.id, n.service_id,
                     (array['email','sms','push'])[1 + g % 3],
                     case g % 3 when 0 then (array['smtp','ses'])[1 + (g / 3) % 2] when 1 then 'twilio' else 'fcm' end,
                     (array['sent','sent','sent','delivered','opened','failed','suppressed','clicked','dead','sent'])[1 + (g * 13) % 10],
                     n.created_at + ((g * 7919) % 60000) * interval '1 millisecond'
                from generate_series(1::bigint, ${ROWS}) g
                join notifications n on n.id = ('00000000-0000-4000-9000-' || lpad((1 + g % ${NOTIFICATIONS})::text, 12, '0'))::uuid`.execute(
      db,
    );
    await sql`analyze`.execute(db);
  });
  say(
    `seeded ${ROWS.toLocaleString()} status changes, ${NOTIFICATIONS.toLocaleString()} notifications in ${(seedMs / 1000).toFixed(1)} s`,
  );

  const analytics = kyselyAnalytics(db);
  const [read, rollupMs] = await timed(() => analytics.rollUp());
  await sql`analyze`.execute(db);
  const sizes = await sql<{ rollup: number; latency: number }>`
    select (select count(*)::int from analytics_rollup) as rollup, (select count(*)::int from analytics_latency) as latency`.execute(
    db,
  );
  const rollupRows = sizes.rows[0]?.rollup ?? 0;
  const latencyRows = sizes.rows[0]?.latency ?? 0;
  say(
    `rollup: read ${read.toLocaleString()} rows in ${(rollupMs / 1000).toFixed(1)} s → ${rollupRows} count rows, ${latencyRows} histogram rows`,
  );

  const serviceId = '00000000-0000-4000-8000-000000000001';
  const q = { serviceId, from: start, to: new Date(start.getTime() + 30 * DAY) };
  const hourly: number[] = [];
  const daily: number[] = [];
  let cells = 0;
  let total = 0;
  for (let i = 0; i < 5; i++) {
    const [h, hMs] = await timed(() => analytics.query({ ...q, interval: 'hour', groupBy: 'channel' }));
    const [, dMs] = await timed(() => analytics.query({ ...q, interval: 'day', groupBy: 'provider' }));
    hourly.push(hMs);
    daily.push(dMs);
    cells = h.length;
    total = h.reduce((n, c) => n + Object.values(c.counts).reduce((a, b) => a + b, 0), 0);
  }
  const scans: number[] = [];
  let direct = 0;
  for (let i = 0; i < 3; i++) {
    const [r, ms] = await timed(() =>
      sql<{ n: number }>`
        select count(*)::int as n from (
          select date_trunc('hour', occurred_at, 'UTC'), channel, status, count(*)
            from delivery_status_log
           where service_id = ${serviceId} and occurred_at >= ${q.from} and occurred_at < ${q.to}
           group by 1, 2, 3) t`.execute(db),
    );
    scans.push(ms);
    direct = r.rows[0]?.n ?? 0;
  }
  const { rows: check } = await sql<{ n: number }>`
    select count(*)::int as n from delivery_status_log
     where service_id = ${serviceId} and occurred_at >= ${q.from} and occurred_at < ${q.to}
       and status in ('sent','delivered','failed','dead','suppressed','bounced','opened','clicked')`.execute(
    db,
  );
  const matches = check[0]?.n === total;
  say(
    `query (1 service, 30 days): hourly by channel ${median(hourly).toFixed(1)} ms (${cells} cells), daily by provider ${median(daily).toFixed(1)} ms`,
  );
  say(
    `direct scan of the log for the same hourly numbers: ${median(scans).toFixed(0)} ms (${direct} groups); totals match: ${matches}`,
  );
  process.stdout.write(
    JSON.stringify({
      bench: 'analytics',
      rows: ROWS,
      notifications: NOTIFICATIONS,
      seedMs: Math.round(seedMs),
      rollupMs: Math.round(rollupMs),
      rollupRows,
      latencyRows,
      queryHourlyByChannelMs: Number(median(hourly).toFixed(1)),
      queryDailyByProviderMs: Number(median(daily).toFixed(1)),
      directScanMs: Math.round(median(scans)),
      totalsMatch: matches,
    }) + '\n',
  );
  if (!matches) process.exitCode = 1;
} finally {
  await store.close();
  await database.drop();
}
