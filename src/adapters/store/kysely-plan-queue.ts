import { sql } from 'kysely';
import type { PlanHandoff, PlanQueue } from '../../ports/store.ts';
import type { Channel } from '../../domain/channels.ts';
import type { NotificationToPlan, PlannedDelivery } from '../../domain/types.ts';
import { priorityName } from '../../domain/types.ts';
import type { Db, NotificationsTable } from './db.ts';
import { deliveriesInsert, laneWakes, type InsertLease } from './insert-deliveries.ts';
import { toClaimed, type ClaimedRow } from './kysely-delivery-queue.ts';
import { WAKE_CHANNEL } from './connect.ts';
import type { Selectable } from 'kysely';

const toPlan = (row: Selectable<NotificationsTable>): NotificationToPlan => ({
  id: row.id,
  serviceId: row.service_id,
  type: row.type,
  recipientId: row.recipient_id ?? '',
  channels: row.channels as Channel[],
  data: row.data,
  content: row.content,
  priority: priorityName(row.priority),
  idempotencyKey: row.idempotency_key,
  requestHash: row.request_hash,
  createdAt: row.created_at,
  audience: row.audience,
  stepOverrides: row.step_overrides,
});

/** Which queued deliveries to write leased: the first `take` of each channel, in planned order. */
function leaseFor(
  owner: string,
  planned: readonly { deliveries: readonly PlannedDelivery[] }[],
  handoff: PlanHandoff,
): InsertLease | undefined {
  const left = new Map(handoff.take);
  const ids = new Set<string>();
  for (const { deliveries } of planned) {
    for (const d of deliveries) {
      const n = left.get(d.channel) ?? 0;
      if (d.status !== 'queued' || d.notBefore || n <= 0) continue;
      ids.add(d.id);
      left.set(d.channel, n - 1);
    }
  }
  return ids.size > 0 ? { owner, leaseMs: handoff.leaseMs, ids } : undefined;
}

export function kyselyPlanQueue(db: Db): PlanQueue {
  /**
   * One statement, so one round trip and no explicit transaction: the notification rows are marked
   * first, and only the ones still held get their deliveries. A notification whose planner lost its
   * lease (or that was cancelled meanwhile, which clears the lease) gets nothing written; the row lock
   * the update takes orders this against a concurrent cancel, which then sees these deliveries. The
   * lanes with new queued rows are woken when it commits.
   */
  const completeMany: PlanQueue['completeMany'] = async (owner, planned, handoff) => {
    if (planned.length === 0) return [];
    const marked = sql`
      update notifications
         set plan_status = 'planned', planned_at = now(), lease_owner = null, lease_expires_at = null
       where id = any(${planned.map((p) => p.n.id)}::uuid[]) and lease_owner = ${owner}
      returning id`;
    const lease = handoff ? leaseFor(owner, planned, handoff) : undefined;
    const { statement, lanes } = deliveriesInsert(planned, false, sql`select id from marked`, lease);
    const wakes = laneWakes(lanes);
    if (!lease || !statement) {
      await sql`
        with marked as (${marked}),
             inserted as (${statement ?? sql`select 1`})
        select pg_notify(${WAKE_CHANNEL}, w) from unnest(${wakes}::text[]) w
         where exists (select 1 from marked)`.execute(db);
      return [];
    }
    // The leased rows come back as a claim returns them; the wake-ups still go with the statement
    // (`woken` is read, so it runs).
    const { rows } = await sql<ClaimedRow & { status: string }>`
      with marked as (${marked}),
           inserted as (${statement}),
           woken as (select pg_notify(${WAKE_CHANNEL}, w) from unnest(${wakes}::text[]) w
                      where exists (select 1 from marked))
      select * from inserted where status = 'sending' and (select count(*) from woken) >= 0`.execute(db);
    return rows.map(toClaimed);
  };

  return {
    /** Pending notifications, and ones whose planner died (lease expired), oldest first. */
    async claim(owner, limit, leaseMs, opts) {
      const broadcasts = Math.min(limit, opts?.broadcasts ?? limit);
      const claimable = sql`(plan_status = 'pending' or (plan_status = 'planning' and lease_expires_at < now()))`;
      // The claim reads `notifications_to_plan` in its own order (migration 0034) when PostgreSQL
      // knows how many rows are pending: an ordered index scan that stops at its limit. Without
      // statistics (never analyzed; autovacuum off) it estimates one matching row and plans bitmap
      // scans and a sort over every entry instead, and a bitmap scan never marks the entries of dead
      // rows (every notification planned leaves one or two until a vacuum): each claim read all of
      // them, empty or not (20 ms at 12,000 in a bench database, twice per claim). So `ready` looks
      // first, by a plain scan in the index's order (planned as one either way), whether anything is
      // claimable: it marks the dead entries it passes, which the scans after it then skip, and when
      // it finds nothing (an idle poll) they do not run at all (a one-time filter). It used to be a
      // statement of its own: one more round trip per claim, on the path of every notification.
      const { rows } = await sql<Selectable<NotificationsTable>>`
        with ready as (
          select 1 from notifications where ${claimable} order by priority, created_at limit 1
        ), single as (
          select id from notifications where ${claimable} and audience is null and exists (select 1 from ready)
           order by priority, created_at limit ${limit} for update skip locked
        ), broadcast as (
          select id from notifications where ${claimable} and audience is not null and exists (select 1 from ready)
           order by priority, created_at limit ${broadcasts} for update skip locked
        )
        update notifications n
           set plan_status = 'planning', lease_owner = ${owner},
               lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
          from (select id from single union all select id from broadcast) c
         where n.id = c.id
        returning n.*`.execute(db);
      // One-recipient notifications first: they take a moment each, broadcasts minutes.
      return rows.map(toPlan).sort((a, b) => Number(a.audience != null) - Number(b.audience != null));
    },

    async complete(n, owner, deliveries) {
      await completeMany(owner, [{ n, deliveries }]);
    },

    completeMany,

    async fail(notificationId, owner, error) {
      await db
        .updateTable('notifications')
        .set({ plan_status: 'failed', plan_error: error, lease_owner: null, lease_expires_at: null })
        .where('id', '=', notificationId)
        .where('lease_owner', '=', owner)
        .execute();
    },

    async release(owner) {
      await db
        .updateTable('notifications')
        .set({ plan_status: 'pending', lease_owner: null, lease_expires_at: null })
        .where('lease_owner', '=', owner)
        .where('plan_status', '=', 'planning')
        .execute();
    },
  };
}
