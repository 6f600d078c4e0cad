/**
 * Workflow state in PostgreSQL. Every write that ends a notification's planning is guarded by the
 * planner's lease (`lease_owner = me`), like the plan queue's own completion, and commits together
 * with the notification's new state: a crash leaves it either untouched (planned again) or done.
 * Concurrency is settled by the database: throttle counts by an upsert's row lock, digests by a
 * partial unique index on the open digest of a (service, recipient, type, step, key).
 */
import { sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { PlannedDelivery } from '../../domain/types.ts';
import type { StepDecision, StepType } from '../../domain/workflow-steps.ts';
import type { DigestView, WorkflowStore } from '../../ports/workflow-store.ts';
import { WAKE_CHANNEL } from './connect.ts';
import type { DB, Db } from './db.ts';
import { insertDeliveries } from './insert-deliveries.ts';
import {
  closeDigest,
  closeDigests,
  itemsOf,
  recordMany,
  type DigestRow,
  type ItemRow,
} from './kysely-digest-close.ts';
import { joinDigests } from './kysely-digest-join.ts';
import { countThrottles } from './kysely-throttle-counts.ts';

/** Digests closed per transaction by the sweep: each batch's messages go in with one insert. */
const CLOSE_BATCH = 100;

/**
 * Marks notifications this owner leases as planned (or `status`), in id order; answers the ids marked
 * (one whose lease was lost, or that was cancelled, is not).
 */
async function finishMany(
  tx: Transaction<DB>,
  ids: readonly string[],
  owner: string,
  status: 'planned' | 'waiting',
): Promise<Set<string>> {
  const { rows } = await sql<{ id: string }>`
    update notifications
       set plan_status = ${status}, planned_at = case when ${status} = 'planned' then now() else planned_at end,
           lease_owner = null, lease_expires_at = null
     where id = any(${[...ids]}::uuid[]) and lease_owner = ${owner} and cancelled_at is null
    returning id`.execute(tx);
  return new Set(rows.map((r) => r.id));
}

const toView = (d: DigestRow, items: ItemRow[]): DigestView => ({
  id: d.id,
  recipient: d.recipient_id,
  type: d.type,
  key: d.key,
  status: d.status,
  count: d.count,
  maxItems: d.max_items,
  openedAt: d.opened_at,
  closeAt: d.close_at,
  closedAt: d.closed_at,
  messageId: d.message_id,
  items: items.map((i) => ({ notificationId: i.notification_id, at: i.at, data: i.data })),
});

export function kyselyWorkflowStore(db: Db): WorkflowStore {
  const view = async (serviceId: string, id: string) => {
    const { rows } = await sql<DigestRow>`
      select * from digests where service_id = ${serviceId} and id = ${id}`.execute(db);
    const d = rows[0];
    return d ? toView(d, await itemsOf(db, d.id)) : null;
  };

  return {
    async progress(ids) {
      if (ids.length === 0) return new Map();
      const { rows } = await sql<{
        notification_id: string;
        next_step: number;
        stage: number;
        pending: boolean;
      }>`
        select notification_id, next_step, stage, wake_at is not null as pending
          from workflow_runs where notification_id = any(${[...ids]}::uuid[])`.execute(db);
      return new Map(
        rows.map((r) => [r.notification_id, { nextStep: r.next_step, stage: r.stage, pending: r.pending }]),
      );
    },

    async escalateLater(checks) {
      if (checks.length === 0) return;
      await sql`
        insert into workflow_runs (notification_id, service_id, next_step, kind, stage, wake_at)
        select id, service_id, next_step, 'escalate', stage, wake_at from unnest(
          ${checks.map((c) => c.n.id)}::uuid[], ${checks.map((c) => c.n.serviceId)}::uuid[],
          ${checks.map((c) => c.step)}::int[], ${checks.map((c) => c.stage)}::int[],
          ${checks.map((c) => c.wakeAt.toISOString())}::timestamptz[]
        ) as c(id, service_id, next_step, stage, wake_at)
        order by id
        on conflict (notification_id) do update
          set next_step = excluded.next_step, kind = 'escalate', stage = excluded.stage, wake_at = excluded.wake_at`.execute(
        db,
      );
    },

    record: (timelines) => recordMany(db, timelines),

    async hold(owner, holds) {
      if (holds.length === 0) return new Set();
      return db.transaction().execute(async (tx) => {
        const held = await finishMany(
          tx,
          holds.map((h) => h.n.id),
          owner,
          'waiting',
        );
        const parked = holds.filter((h) => held.has(h.n.id));
        if (parked.length === 0) return held;
        await sql`
          insert into workflow_runs (notification_id, service_id, next_step, wake_at)
          select * from unnest(
            ${parked.map((h) => h.n.id)}::uuid[], ${parked.map((h) => h.n.serviceId)}::uuid[],
            ${parked.map((h) => h.nextStep)}::int[], ${parked.map((h) => h.wakeAt.toISOString())}::timestamptz[])
          order by 1
          on conflict (notification_id) do update
            set next_step = excluded.next_step, kind = 'delay', wake_at = excluded.wake_at`.execute(tx);
        await recordMany(
          tx,
          parked.map((h) => ({ notificationId: h.n.id, decisions: h.decisions })),
        );
        return held;
      });
    },

    throttle(hits) {
      if (hits.length === 0) return Promise.resolve(new Map());
      return db.transaction().execute((tx) => countThrottles(tx, hits));
    },

    async suppress(owner, suppressions) {
      if (suppressions.length === 0) return new Set();
      return db.transaction().execute(async (tx) => {
        const ended = await finishMany(
          tx,
          suppressions.map((x) => x.n.id),
          owner,
          'planned',
        );
        const gone = suppressions.filter((x) => ended.has(x.n.id));
        if (gone.length === 0) return ended;
        await insertDeliveries(
          tx,
          gone.map(({ n, reason }) => ({
            n,
            deliveries: n.channels.map((channel): PlannedDelivery => ({
              id: uuidv7(),
              recipientId: n.recipientId,
              channel,
              address: null,
              status: 'suppressed',
              reason,
              content: {},
            })),
          })),
          false,
        );
        await recordMany(
          tx,
          gone.map((x) => ({ notificationId: x.n.id, decisions: x.decisions })),
        );
        return ended;
      });
    },

    digest(owner, joins) {
      return db.transaction().execute((tx) => joinDigests(tx, owner, joins));
    },

    async wakeDue(now, limit) {
      const at = now.toISOString();
      // A delay that ended goes back to the planner. An escalation that came due goes back too, to plan
      // its next channel, unless the recipient has seen or read the notification somewhere by now.
      const { rows } = await sql<{ id: string }>`
        with due as (
          -- Only what can move now: an escalation whose stage is still being planned waits a sweep.
          select r.notification_id from workflow_runs r join notifications n on n.id = r.notification_id
           where r.wake_at <= ${at}::timestamptz
             and (n.cancelled_at is not null
                  or n.plan_status = case when r.kind = 'escalate' then 'planned' else 'waiting' end)
           order by r.wake_at limit ${limit} for update of r skip locked
        ), cleared as (
          update workflow_runs r set wake_at = null from due
           where r.notification_id = due.notification_id
          returning r.notification_id, r.next_step, r.kind, r.stage
        ), judged as (
          select c.*, c.kind = 'escalate' and (
                   exists (select 1 from notifications n join inbox_items i
                             on i.service_id = n.service_id and i.recipient_id = n.recipient_id
                            and i.notification_id = n.id
                           where n.id = c.notification_id and (i.seen_at is not null or i.read_at is not null))
                   or exists (select 1 from deliveries d where d.notification_id = c.notification_id
                                 and d.status in ('opened', 'clicked'))) as seen
            from cleared c
        ), woken as (
          update notifications n set plan_status = 'pending'
            from judged j
           where n.id = j.notification_id and n.cancelled_at is null and not j.seen
             and n.plan_status = case when j.kind = 'escalate' then 'planned' else 'waiting' end
          returning n.id
        ), logged as (
          insert into workflow_decisions (notification_id, step, type, decision, at, detail)
          select j.notification_id,
                 case when j.kind = 'escalate' then j.next_step else j.next_step - 1 end,
                 j.kind,
                 case when j.kind = 'delay' then 'resumed' when j.seen then 'escalation_stopped' else 'escalated' end,
                 ${at}::timestamptz,
                 case when j.kind = 'delay' then '{}'::jsonb
                      when j.seen then jsonb_build_object('reason', 'seen_or_read', 'stage', j.stage)
                      else jsonb_build_object('reason', 'unseen', 'stage', j.stage) end
            from judged j
           where j.seen or j.notification_id in (select id from woken)
          returning 1
        ), wake as (
          select pg_notify(${WAKE_CHANNEL}, 'plan') from (select 1 from woken limit 1) one
        )
        select id from woken where (select count(*) from wake) + (select count(*) from logged) >= 0`.execute(
        db,
      );
      return rows.length;
    },

    async closeDue(now, limit) {
      // A batch of due digests per transaction: skip locked, so two sweepers close disjoint sets and
      // neither waits on a digest an event is joining (it is closed by the next sweep instead).
      let closed = 0;
      while (closed < limit) {
        const size = Math.min(CLOSE_BATCH, limit - closed);
        const done = await db.transaction().execute(async (tx) => {
          const { rows } = await sql<{ id: string }>`
            select id from digests where status = 'open' and close_at <= ${now.toISOString()}::timestamptz
             order by close_at limit ${size} for update skip locked`.execute(tx);
          return (
            await closeDigests(
              tx,
              rows.map((r) => r.id),
              now,
            )
          ).length;
        });
        closed += done;
        if (done < size) break;
      }
      return closed;
    },

    async prune(now, closedBefore, limit) {
      // Counters written before window_end existed go once older than the longest window (400 days).
      const { rows: counters } = await sql`
        delete from workflow_throttle_counts c using (
          (select service_id, type, step, scope, window_start from workflow_throttle_counts
            where window_end < ${now.toISOString()}::timestamptz limit ${limit})
          union all
          (select service_id, type, step, scope, window_start from workflow_throttle_counts
            where window_end is null and window_start < ${now.toISOString()}::timestamptz - interval '400 days'
            limit ${limit})
        ) old
         where (c.service_id, c.type, c.step, c.scope, c.window_start)
             = (old.service_id, old.type, old.step, old.scope, old.window_start)
        returning 1`.execute(db);
      if (closedBefore === null) return { counters: counters.length, digests: 0 };
      // Items go with their digest (on delete cascade).
      const { rows: digests } = await sql`
        delete from digests where id in (
          select id from digests where status = 'closed' and closed_at < ${closedBefore.toISOString()}::timestamptz
           limit ${limit})
        returning 1`.execute(db);
      return { counters: counters.length, digests: digests.length };
    },

    async release(serviceId, id, now) {
      const found = await db.transaction().execute(async (tx) => {
        const { rows } = await sql<{ id: string }>`
          select id from digests where service_id = ${serviceId} and id = ${id}`.execute(tx);
        if (!rows[0]) return false;
        await closeDigest(tx, id, now);
        return true;
      });
      return found ? view(serviceId, id) : null;
    },

    view,

    async list(serviceId, filter) {
      const { rows } = await sql<DigestRow>`
        select * from digests where service_id = ${serviceId}
           and (${filter.recipient ?? null}::text is null or recipient_id = ${filter.recipient ?? null})
           and (${filter.type ?? null}::text is null or type = ${filter.type ?? null})
           and (${filter.status ?? null}::text is null or status = ${filter.status ?? null})
         order by opened_at desc, id limit 100`.execute(db);
      return rows.map((d) => toView(d, []));
    },

    async timeline(notificationId) {
      const { rows } = await sql<{
        step: number;
        type: StepType;
        decision: StepDecision['decision'];
        at: Date;
        detail: Record<string, unknown>;
      }>`select step, type, decision, at, detail from workflow_decisions
          where notification_id = ${notificationId} order by id`.execute(db);
      return rows;
    },
  };
}
