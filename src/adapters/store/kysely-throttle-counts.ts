/**
 * A planner batch's throttle counts in one transaction and four statements, whatever its size.
 *
 * 1. Each notification claims its hit (`workflow_throttle_hits`, unique per notification and step)
 *    before anything is counted: a notification planned again (after a crash, or by two planners once
 *    its lease ran out) finds its hit taken and reads its place instead, and a concurrent planner of the
 *    same notification waits on the unique key until the first commits. So a notification is counted
 *    once, never twice and never not at all.
 * 2. The new hits are grouped by counter (service, type, step, scope, window) and each counter is
 *    bumped once by the group's size, with `insert … on conflict do update … returning count`: the row
 *    lock orders concurrent batches, and each group learns the count it brought the window to, so each
 *    notification its place (in the batch's order). Counters are bumped in key order, so two batches
 *    lock the counters they share in the same order.
 * 3. The places are written to the hits; 4. the places of hits taken earlier are read.
 */
import { sql, type Transaction } from 'kysely';
import type { ThrottleHit } from '../../ports/workflow-store.ts';
import type { DB } from './db.ts';

const counterKey = (h: ThrottleHit) =>
  JSON.stringify([h.n.serviceId, h.n.type, h.step, h.scope, h.windowStart.toISOString()]);

export async function countThrottles(
  tx: Transaction<DB>,
  hits: readonly ThrottleHit[],
): Promise<Map<string, number>> {
  const places = new Map<string, number>();
  if (hits.length === 0) return places;
  const { rows: claimed } = await sql<{ notification_id: string; step: number }>`
    insert into workflow_throttle_hits (notification_id, step, place)
    select id, step, 0 from unnest(${hits.map((h) => h.n.id)}::uuid[], ${hits.map((h) => h.step)}::int[])
           as h(id, step)
     order by id, step
    on conflict (notification_id, step) do nothing
    returning notification_id, step`.execute(tx);
  const fresh = new Set(claimed.map((r) => `${r.notification_id}/${r.step}`));
  const isFresh = (h: ThrottleHit) => fresh.has(`${h.n.id}/${h.step}`);

  const groups = new Map<string, ThrottleHit[]>();
  for (const h of hits) {
    if (!isFresh(h)) continue;
    const k = counterKey(h);
    const g = groups.get(k);
    if (g) g.push(h);
    else groups.set(k, [h]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  if (ordered.length > 0) {
    const firsts = ordered.map((g) => g[0] as ThrottleHit);
    const { rows } = await sql<{ count: number; ord: number }>`
      with input as (
        select * from unnest(
          ${firsts.map((h) => h.n.serviceId)}::uuid[], ${firsts.map((h) => h.n.type)}::text[],
          ${firsts.map((h) => h.step)}::int[], ${firsts.map((h) => h.scope)}::text[],
          ${firsts.map((h) => h.windowStart.toISOString())}::timestamptz[],
          ${firsts.map((h) => h.windowEnd.toISOString())}::timestamptz[], ${ordered.map((g) => g.length)}::int[]
        ) with ordinality as i(service_id, type, step, scope, window_start, window_end, count, ord)
      ), upserted as (
        insert into workflow_throttle_counts (service_id, type, step, scope, window_start, window_end, count)
        select service_id, type, step, scope, window_start, window_end, count from input order by ord
        on conflict (service_id, type, step, scope, window_start)
        do update set count = workflow_throttle_counts.count + excluded.count
        returning service_id, type, step, scope, window_start, count
      )
      select u.count, i.ord::int as ord from upserted u
        join input i on (i.service_id, i.type, i.step, i.scope, i.window_start)
                      = (u.service_id, u.type, u.step, u.scope, u.window_start)`.execute(tx);
    for (const r of rows) {
      const g = ordered[r.ord - 1] as ThrottleHit[];
      g.forEach((h, i) => places.set(h.n.id, r.count - g.length + i + 1));
    }
    const set = ordered.flat();
    await sql`
      update workflow_throttle_hits t set place = p.place
        from unnest(${set.map((h) => h.n.id)}::uuid[], ${set.map((h) => h.step)}::int[],
                    ${set.map((h) => places.get(h.n.id) ?? 0)}::int[]) as p(id, step, place)
       where t.notification_id = p.id and t.step = p.step`.execute(tx);
  }
  const seen = hits.filter((h) => !isFresh(h));
  if (seen.length > 0) {
    const { rows } = await sql<{ notification_id: string; place: number }>`
      select t.notification_id, t.place from workflow_throttle_hits t
        join unnest(${seen.map((h) => h.n.id)}::uuid[], ${seen.map((h) => h.step)}::int[]) as s(id, step)
          on t.notification_id = s.id and t.step = s.step`.execute(tx);
    for (const r of rows) places.set(r.notification_id, r.place);
  }
  return places;
}
