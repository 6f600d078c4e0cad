/**
 * Analytics against a seeded dataset: deliveries moved through their states by ordinary UPDATEs (so
 * the status log trigger sees what production sees), rolled up, then read through the API. Every
 * count must equal the one computed directly from the seed and from the deliveries table, and the
 * percentiles from the rollup histogram must sit within one histogram slot of the exact ones.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Herald } from '../../src/main.ts';
import { kyselyAnalytics } from '../../src/adapters/store/kysely-analytics.ts';
import { client, registerService, type Client } from '../helpers/api.ts';
import { startInProcess, TEST_ADMIN_TOKEN } from '../helpers/in-process.ts';
import { freshDatabase, skipWithoutPg } from '../helpers/pg.ts';
import { connect, migrateToLatest } from '../../src/adapters/store/connect.ts';
import pg from 'pg';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 0, 10, 0, 0, 0);

interface Seeded {
  channel: string;
  type: string;
  provider: string;
  /** (status, time) in order. */
  steps: [string, number][];
  acceptedAt: number;
}

/** A deterministic mix: mostly sent, some failed, dead or suppressed; some sent ones go further. */
function plan(i: number, channel: 'email' | 'sms'): Seeded {
  const acceptedAt = BASE + i * 7 * 60_000;
  const type = i % 3 === 0 ? 'promo' : 'order_shipped';
  const provider = channel === 'email' ? (i % 5 === 0 ? 'ses' : 'smtp') : 'twilio';
  const k = (i * 7 + (channel === 'sms' ? 3 : 0)) % 10;
  const latency = 150 + ((i * 7919) % 40_000) + (channel === 'sms' ? 2_000 : 0);
  const sentAt = acceptedAt + latency;
  const steps: [string, number][] = [];
  if (k === 6) steps.push(['failed', sentAt]);
  else if (k === 7) steps.push(['dead', sentAt]);
  else if (k === 8) steps.push(['suppressed', acceptedAt + 1]);
  else {
    steps.push(['sent', sentAt]);
    if (i % 2 === 0) steps.push(['delivered', sentAt + 30_000]);
    if (i % 4 === 0) steps.push(['opened', sentAt + 20 * 60_000]);
    if (i % 8 === 0) steps.push(['clicked', sentAt + 50 * 60_000]);
  }
  return { channel, type, provider, steps, acceptedAt };
}

const exactPercentile = (sorted: number[], q: number) =>
  sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] ?? 0;

describe('analytics', () => {
  let herald: Herald;
  let api: Client;
  let serviceId: string;
  const seeded: Seeded[] = [];

  before(async () => {
    herald = await startInProcess({ worker: false });
    const s = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Stats');
    api = client(herald.url ?? '', s.apiKey);
    serviceId = s.id;
    const db = herald.db;
    for (let i = 0; i < 240; i++) {
      const notificationId = randomUUID();
      const channels: ('email' | 'sms')[] = i % 2 === 0 ? ['email', 'sms'] : ['email'];
      const p0 = plan(i, 'email');
      await sql`insert into notifications (id, service_id, type, recipient_id, channels, request_hash, plan_status, created_at)
                values (${notificationId}, ${serviceId}, ${p0.type}, ${`r${i}`}, ${JSON.stringify(channels)}::jsonb,
                        ${`h${i}`}, 'planned', ${new Date(p0.acceptedAt)})`.execute(db);
      for (const channel of channels) {
        const p = plan(i, channel);
        seeded.push(p);
        const id = randomUUID();
        await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, created_at, updated_at)
                  values (${id}, ${notificationId}, ${serviceId}, ${`r${i}`}, ${channel}, 'queued',
                          ${new Date(p.acceptedAt)}, ${new Date(p.acceptedAt)})`.execute(db);
        for (const [status, at] of p.steps) {
          await sql`update deliveries set status = ${status}, updated_at = ${new Date(at)},
                           provider = ${status === 'suppressed' ? null : p.provider},
                           sent_at = case when ${status} = 'sent' then ${new Date(at)}::timestamptz else sent_at end
                     where id = ${id}`.execute(db);
        }
      }
    }
  });

  after(async () => herald?.stop());

  it('counts per hour and channel match the seed exactly', async () => {
    const analytics = kyselyAnalytics(herald.db);
    const read = await analytics.rollUp();
    assert.equal(
      read,
      seeded.reduce((n, s) => n + s.steps.length, 0),
    );
    assert.equal(await analytics.rollUp(), 0, 'a second run reads nothing new');

    const from = new Date(BASE).toISOString();
    const to = new Date(BASE + 31 * HOUR).toISOString();
    const res = await api.get(`/v1/analytics?from=${from}&to=${to}&interval=hour&groupBy=channel`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const expected = new Map<string, number>();
    for (const s of seeded)
      for (const [status, at] of s.steps) {
        const key = `${s.channel}|${new Date(Math.floor(at / HOUR) * HOUR).toISOString()}|${status}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
    const got = new Map<string, number>();
    for (const series of res.body.series)
      for (const b of series.buckets)
        for (const [status, n] of Object.entries(b.counts as Record<string, number>))
          if (n > 0) got.set(`${series.key}|${b.start}|${status}`, n);
    assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...expected].sort()));
  });

  it('totals per type match a direct count on the deliveries table', async () => {
    const from = new Date(BASE).toISOString();
    const to = new Date(BASE + 3 * 24 * HOUR).toISOString();
    const res = await api.get(`/v1/analytics?from=${from}&to=${to}&interval=day&groupBy=type`);
    assert.equal(res.status, 200);
    const { rows } = await sql<{
      type: string;
      sent: number;
      failed: number;
      dead: number;
      suppressed: number;
      delivered: number;
      opened: number;
      clicked: number;
    }>`
      select n.type,
             count(*) filter (where d.sent_at is not null)::int as sent,
             count(*) filter (where d.status = 'failed')::int as failed,
             count(*) filter (where d.status = 'dead')::int as dead,
             count(*) filter (where d.status = 'suppressed')::int as suppressed,
             count(*) filter (where d.status in ('delivered'))::int
               + count(*) filter (where d.status in ('opened', 'clicked') and (right(d.recipient_id, 1)::int % 2 = 0))::int as delivered,
             count(*) filter (where d.status in ('opened', 'clicked') and (substr(d.recipient_id, 2)::int % 4 = 0))::int as opened,
             count(*) filter (where d.status = 'clicked')::int as clicked
        from deliveries d join notifications n on n.id = d.notification_id
       where d.service_id = ${serviceId}
       group by n.type order by n.type`.execute(herald.db);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const series = res.body.series.find((s: any) => s.key === row.type);
      const { type, ...direct } = row;
      const totals = series.totals.counts;
      for (const [status, n] of Object.entries(direct)) assert.equal(totals[status], n, `${type} ${status}`);
      assert.equal(
        series.totals.rates.success,
        Math.round((direct.sent / (direct.sent + direct.failed + direct.dead)) * 10_000) / 10_000,
      );
    }
  });

  it('accept-to-sent percentiles from the histogram are within one slot of the exact values', async () => {
    const from = new Date(BASE).toISOString();
    const to = new Date(BASE + 3 * 24 * HOUR).toISOString();
    const res = await api.get(`/v1/analytics?from=${from}&to=${to}&interval=day&groupBy=provider`);
    for (const provider of ['smtp', 'ses', 'twilio']) {
      const latencies = seeded
        .filter((s) => s.provider === provider)
        .flatMap((s) => s.steps.filter(([st]) => st === 'sent').map(([, at]) => at - s.acceptedAt))
        .sort((a, b) => a - b);
      const got = res.body.series.find((s: any) => s.key === provider).totals.latencyMs;
      for (const [q, name] of [
        [0.5, 'p50'],
        [0.95, 'p95'],
        [0.99, 'p99'],
      ] as const) {
        const exact = exactPercentile(latencies, q);
        const ratio = got[name] / exact;
        assert.ok(ratio > 1 / 1.2 && ratio < 1.2, `${provider} ${name}: ${got[name]} vs exact ${exact}`);
      }
    }
  });

  it('a later run adds to the hours it already rolled up, histograms included', async () => {
    const [first] = seeded;
    assert.ok(first);
    const { rows } = await sql<{ notification_id: string }>`
      select notification_id from deliveries where service_id = ${serviceId} order by created_at limit 1`.execute(
      herald.db,
    );
    const sentAt = (first.steps[0]?.[1] ?? BASE) + 1;
    await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status, provider, created_at, updated_at, sent_at)
              values (${randomUUID()}, ${rows[0]?.notification_id}, ${serviceId}, 'late', ${first.channel}, 'sent', ${first.provider},
                      ${new Date(first.acceptedAt)}, ${new Date(sentAt)}, ${new Date(sentAt)})`.execute(
      herald.db,
    );
    // The same service, hour, channel, type and provider as a rolled-up row: the run must add to it.
    seeded.push({ ...first, steps: [['sent', sentAt]] });
    assert.equal(await kyselyAnalytics(herald.db).rollUp(), 1);
    const sums = await sql<{ histogram: string; sent: string }>`
      select (select sum(x) from analytics_latency, unnest(counts) x where service_id = ${serviceId})::text as histogram,
             (select sum(n) from analytics_rollup where service_id = ${serviceId} and status = 'sent')::text as sent`.execute(
      herald.db,
    );
    const expectedSent = seeded.reduce((n, s) => n + s.steps.filter(([st]) => st === 'sent').length, 0);
    assert.deepEqual(sums.rows[0], { histogram: String(expectedSent), sent: String(expectedSent) });
  });

  it('refuses bad ranges and sees only the caller', async () => {
    assert.equal((await api.get('/v1/analytics?interval=week')).status, 422);
    assert.equal(
      (await api.get('/v1/analytics?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).status,
      422,
    );
    assert.equal(
      (await api.get('/v1/analytics?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&interval=hour')).status,
      422,
    );
    const other = await registerService(client(herald.url ?? '', TEST_ADMIN_TOKEN), 'Other');
    const res = await client(herald.url ?? '', other.apiKey).get(
      `/v1/analytics?from=${new Date(BASE).toISOString()}&to=${new Date(BASE + 3 * 24 * HOUR).toISOString()}&interval=day`,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.series, []);
  });
});

/**
 * Waits until every transaction that wrote to the status log so far has ended in the eyes of the
 * whole server: a rollup reads up to the snapshot's xmin, which any open transaction of the shared
 * server (another database's included) holds back.
 */
async function logSettled(db: Parameters<typeof kyselyAnalytics>[0]) {
  for (;;) {
    const { rows } = await sql<{ ok: boolean }>`
      select coalesce(pg_snapshot_xmin(pg_current_snapshot()) > max(txid), true) as ok
        from delivery_status_log`.execute(db);
    if (rows[0]?.ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('analytics rollup watermark on PostgreSQL', { skip: skipWithoutPg }, () => {
  it('counts a change that commits after a later one was rolled up, exactly once', async () => {
    const database = await freshDatabase();
    const store = await connect({ databaseUrl: database.url, dataDir: 'memory://' });
    const early = new pg.Client({ connectionString: database.url });
    const late = new pg.Client({ connectionString: database.url });
    try {
      await migrateToLatest(store.db);
      await early.connect();
      await late.connect();
      const service = randomUUID();
      await sql`insert into services (id, name) values (${service}, 'W')`.execute(store.db);
      const delivery = async (c: pg.Client, status: string) => {
        const n = randomUUID();
        await c.query(
          `insert into notifications (id, service_id, type, channels, request_hash, plan_status) values ($1, $2, 't', '[]', 'h', 'planned')`,
          [n, service],
        );
        await c.query(
          `insert into deliveries (id, notification_id, service_id, recipient_id, channel, status) values ($1, $2, $3, 'r', 'email', $4)`,
          [randomUUID(), n, service, status],
        );
      };
      // The early transaction takes its ids first but commits last.
      await early.query('begin');
      await delivery(early, 'failed');
      await delivery(late, 'sent');
      const analytics = kyselyAnalytics(store.db);
      assert.equal(await analytics.rollUp(), 0, 'nothing is read while an older transaction is open');
      await early.query('commit');
      await logSettled(store.db);
      assert.equal(await analytics.rollUp(), 2);
      assert.equal(await analytics.rollUp(), 0);
      const { rows } = await sql<{ status: string; n: string }>`
        select status, sum(n)::text as n from analytics_rollup group by status order by status`.execute(
        store.db,
      );
      assert.deepEqual(rows, [
        { status: 'failed', n: '1' },
        { status: 'sent', n: '1' },
      ]);
    } finally {
      await early.end().catch(() => undefined);
      await late.end().catch(() => undefined);
      await store.close();
      await database.drop();
    }
  });

  it('a rollup skips while another holds the watermark instead of waiting, and nothing is lost or counted twice', async () => {
    const database = await freshDatabase();
    // Two stores with pools of their own, as two worker processes have.
    const one = await connect({ databaseUrl: database.url, dataDir: 'memory://' });
    const two = await connect({ databaseUrl: database.url, dataDir: 'memory://' });
    const holder = new pg.Client({ connectionString: database.url });
    try {
      await migrateToLatest(one.db);
      await holder.connect();
      const service = randomUUID();
      await sql`insert into services (id, name) values (${service}, 'W')`.execute(one.db);
      let written = 0;
      const write = async (count: number) => {
        const n = randomUUID();
        await sql`insert into notifications (id, service_id, type, channels, request_hash, plan_status)
                  values (${n}, ${service}, 't', '[]', 'h', 'planned')`.execute(one.db);
        await sql`insert into deliveries (id, notification_id, service_id, recipient_id, channel, status)
                  select gen_random_uuid(), ${n}, ${service}, 'r' || i, 'email', 'sent'
                    from generate_series(1, ${count}) i`.execute(one.db);
        written += count;
      };
      await write(3);
      // Another process's rollup in progress: it holds the watermark row.
      await holder.query('begin');
      await holder.query('select upto from analytics_watermark where id = 1 for update');
      // Each call must come back while the row is held (a wait would hang here until the commit).
      assert.equal(await kyselyAnalytics(one.db).rollUp(), 0, 'skipped, not waited');
      assert.equal(await kyselyAnalytics(two.db).rollUp(), 0, 'skipped, not waited');
      const { rows: waiting } = await holder.query<{ n: string }>(
        `select count(*)::text as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      assert.equal(waiting[0]?.n, '0', 'nobody waits on the watermark');
      await holder.query('commit');

      // Two processes rolling up at the same time, over and over, while deliveries are written:
      // every row is counted once, by whichever got the window.
      let read = 0;
      for (let round = 0; round < 20; round++) {
        const [a, b] = await Promise.all([
          kyselyAnalytics(one.db).rollUp(),
          kyselyAnalytics(two.db).rollUp(),
          write(round + 1),
        ]);
        read += a + b;
      }
      await logSettled(one.db);
      read += await kyselyAnalytics(two.db).rollUp();
      read += await kyselyAnalytics(one.db).rollUp();
      assert.equal(read, written, 'every status log row read exactly once');
      const { rows } = await sql<{ n: string }>`
        select coalesce(sum(n), 0)::text as n from analytics_rollup where status = 'sent'`.execute(one.db);
      assert.equal(rows[0]?.n, String(written));
    } finally {
      await holder.end().catch(() => undefined);
      await one.close();
      await two.close();
      await database.drop();
    }
  });
});
