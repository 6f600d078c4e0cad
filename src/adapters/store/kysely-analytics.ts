/**
 * Analytics rollups, maintained from the status log (migration 0008) by a periodic job rather than in
 * the transaction of each state change: every lane settling a send for one service, channel and hour
 * would otherwise queue on the same rollup row's lock, while appending to the log never contends.
 *
 * The job reads the log by transaction id, not by row id: a row id is taken when a transaction
 * inserts but becomes visible when it commits, so an id watermark can pass over a row that commits
 * late. Every transaction older than the snapshot's xmin has finished, so the window
 * [last watermark, xmin) is complete when read and never read twice (the watermark moves in the same
 * transaction as the counts).
 */
import { sql } from 'kysely';
import { ANALYTICS_STATUSES, emptyCounts, type AnalyticsStatus } from '../../domain/analytics.ts';
import { SLOT_COUNT, SLOT_SQL } from '../../domain/latency-histogram.ts';
import type { AnalyticsCell, AnalyticsStore } from '../../ports/analytics.ts';
import type { Db } from './db.ts';

const LATENCY_SLOT = sql.raw(SLOT_SQL('extract(epoch from (occurred_at - accepted_at)) * 1000'));

export function kyselyAnalytics(db: Db): AnalyticsStore {
  return {
    async rollUp() {
      return db.transaction().execute(async (tx) => {
        // The watermark row is the rollup's lock. Held means another rollup (another worker, or a
        // slow one of this process) is reading the same window right now: this one skips instead of
        // queueing behind it, holding a connection, only to find the window read. Nothing is lost:
        // whatever it would have read, the next run reads.
        const { rows: locked } = await sql<{ upto: string }>`
          select upto::text as upto from analytics_watermark where id = 1 for update skip locked`.execute(tx);
        const from = locked[0]?.upto;
        if (from === undefined) return 0;
        // A statement after the lock: its snapshot sees every transaction that ended before it.
        const { rows: now } = await sql<{ upto: string }>`
          select greatest(${from}::xid8, pg_snapshot_xmin(pg_current_snapshot()))::text as upto`.execute(tx);
        const upto = now[0]?.upto ?? from;
        if (upto === from) return 0;
        // The counts and the watermark move in one statement (the row is locked by this transaction).
        const { rows } = await sql<{ n: number }>`
          with src as (
            select l.service_id, date_trunc('hour', l.occurred_at, 'UTC') as bucket, l.channel,
                   coalesce(n.type, '') as type, coalesce(l.provider, '') as provider, l.status,
                   l.occurred_at, n.created_at as accepted_at
              from delivery_status_log l
              left join notifications n on n.id = l.notification_id
             where l.txid >= ${from}::xid8 and l.txid < ${upto}::xid8
          ), counted as (
            insert into analytics_rollup (service_id, bucket, channel, type, provider, status, n)
            select service_id, bucket, channel, type, provider, status, count(*)
              from src group by 1, 2, 3, 4, 5, 6
            on conflict (service_id, bucket, channel, type, provider, status)
            do update set n = analytics_rollup.n + excluded.n
          ), slots as (
            select service_id, bucket, channel, type, provider, ${LATENCY_SLOT} as slot, count(*) as n
              from src where status = 'sent' and accepted_at is not null
             group by 1, 2, 3, 4, 5, 6
          ), timed as (
            insert into analytics_latency (service_id, bucket, channel, type, provider, counts)
            select service_id, bucket, channel, type, provider,
                   array(select coalesce((m ->> i::text)::bigint, 0) from generate_series(0, ${SLOT_COUNT - 1}) i order by i)
              from (select service_id, bucket, channel, type, provider, jsonb_object_agg(slot, n) as m
                      from slots group by 1, 2, 3, 4, 5) per_hour
            on conflict (service_id, bucket, channel, type, provider)
            do update set counts = array(
              select a + b from unnest(analytics_latency.counts, excluded.counts) with ordinality as t(a, b, i) order by i)
          ), moved as (
            update analytics_watermark set upto = ${upto}::xid8 where id = 1
          )
          select count(*)::int as n from src`.execute(tx);
        return rows[0]?.n ?? 0;
      });
    },

    async query(q) {
      const start = sql`date_trunc(${q.interval}, bucket, 'UTC')`;
      const key = q.groupBy ? sql.ref(q.groupBy) : sql.lit('all');
      const range = sql`service_id = ${q.serviceId} and bucket >= ${q.from} and bucket < ${q.to}`;
      const [counts, latency] = await Promise.all([
        sql<{ start: Date; key: string; status: string; n: string }>`
          select ${start} as start, ${key} as key, status, sum(n)::text as n
            from analytics_rollup where ${range} group by 1, 2, 3`.execute(db),
        // Summed per cell in the database, zero slots dropped: one (slots, counts) pair of arrays
        // comes back per cell, not a row per slot.
        sql<{ start: Date; key: string; slots: number[]; counts: string[] }>`
          select start, key, array_agg(i order by i)::int[] as slots, array_agg(n order by i)::text[] as counts
            from (select ${start} as start, ${key} as key, (s.i - 1)::int as i, sum(s.n) as n
                    from analytics_latency cross join lateral unnest(counts) with ordinality as s(n, i)
                   where ${range} and s.n > 0 group by 1, 2, 3) per_slot
           group by 1, 2`.execute(db),
      ]);
      const cells = new Map<string, AnalyticsCell>();
      const cell = (s: Date, k: string) => {
        const id = `${s.toISOString()}|${k}`;
        let c = cells.get(id);
        if (!c) {
          c = { start: s, key: k, counts: emptyCounts(), latency: new Map() };
          cells.set(id, c);
        }
        return c;
      };
      for (const r of counts.rows) {
        if ((ANALYTICS_STATUSES as readonly string[]).includes(r.status))
          cell(r.start, r.key).counts[r.status as AnalyticsStatus] += Number(r.n);
      }
      for (const r of latency.rows) {
        const c = cell(r.start, r.key);
        r.slots.forEach((slot, i) => c.latency.set(slot, Number(r.counts[i])));
      }
      return [...cells.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
    },
  };
}
