import { sql } from 'kysely';
import type { QueueSnapshot } from '../metrics/prom-metrics.ts';
import type { Db } from './db.ts';

/**
 * The queue's shape for metrics. Each query reads a partial index (due rows, dead rows, unplanned
 * notifications), so a scrape stays cheap however large the history grows.
 */
export function kyselyQueueStats(db: Db): () => Promise<QueueSnapshot> {
  return async () => {
    const lanes = await sql<{ channel: string; due: number; oldest: number }>`
      select channel, count(*)::int as due,
             coalesce(extract(epoch from now() - min(next_attempt_at)), 0)::float8 as oldest
        from deliveries where status = 'queued' and next_attempt_at <= now()
       group by channel`.execute(db);
    const dead = await sql<{ channel: string; n: number }>`
      select channel, count(*)::int as n from deliveries where status = 'dead' group by channel`.execute(db);
    // The planner's backlog: what its claim reads (the notifications_to_plan index). A notification
    // waiting on a workflow delay, which may wait for months, or a cancelled one is not in it.
    const planning = await sql<{ n: number }>`
      select count(*)::int as n from notifications where plan_status in ('pending', 'planning')`.execute(db);
    return {
      lanes: lanes.rows.map((r) => ({ channel: r.channel, due: r.due, oldestDueSeconds: Number(r.oldest) })),
      dead: dead.rows.map((r) => ({ channel: r.channel, count: r.n })),
      planning: planning.rows[0]?.n ?? 0,
    };
  };
}
