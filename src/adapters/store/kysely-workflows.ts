/**
 * Workflow state in PostgreSQL. Every write that ends a notification's planning is guarded by the
 * planner's lease (`lease_owner = me`), like the plan queue's own completion, and commits together
 * with the notification's new state: a crash leaves it either untouched (planned again) or done.
 * Concurrency is settled by the database: throttle counts by an upsert's row lock, digests by a
 * partial unique index on the open digest of a (service, recipient, type, step, key).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Channel } from '../../domain/channels.ts';
import { priorityName, type PlannedDelivery } from '../../domain/types.ts';
import type { StepDecision, StepType } from '../../domain/workflow-steps.ts';
import type { DigestView, WorkflowStore } from '../../ports/workflow-store.ts';
import { WAKE_CHANNEL } from './connect.ts';
import type { DB, Db } from './db.ts';
import { insertDeliveries } from './insert-deliveries.ts';
import { acceptMany } from './kysely-accept-many.ts';

/** Newest items a digest message carries in `digest.items` when the step sets no `maxItems`. */
export const DIGEST_ITEMS_SHOWN = 100;

async function recordIn(tx: Kysely<DB>, notificationId: string, decisions: readonly StepDecision[]) {
  if (decisions.length === 0) return;
  await sql`
    insert into workflow_decisions (notification_id, step, type, decision, at, detail)
    select ${notificationId}::uuid, * from unnest(
      ${decisions.map((d) => d.step)}::int[], ${decisions.map((d) => d.type)}::text[],
      ${decisions.map((d) => d.decision)}::text[], ${decisions.map((d) => d.at.toISOString())}::timestamptz[],
      ${decisions.map((d) => JSON.stringify(d.detail))}::jsonb[])`.execute(tx);
}

/** Marks a notification this owner leases as planned (or `status`); false when the lease was lost. */
async function finish(tx: Transaction<DB>, id: string, owner: string, status = 'planned'): Promise<boolean> {
  const { rows } = await sql`
    update notifications
       set plan_status = ${status}, planned_at = case when ${status} = 'planned' then now() else planned_at end,
           lease_owner = null, lease_expires_at = null
     where id = ${id} and lease_owner = ${owner} and cancelled_at is null
    returning id`.execute(tx);
  return rows.length > 0;
}

interface DigestRow {
  id: string;
  service_id: string;
  recipient_id: string;
  type: string;
  step: number;
  key: string;
  status: 'open' | 'closed';
  channels: Channel[];
  count: number;
  max_items: number | null;
  opened_at: Date;
  close_at: Date;
  closed_at: Date | null;
  message_id: string | null;
}

interface ItemRow {
  notification_id: string;
  data: Record<string, unknown>;
  at: Date;
}

async function itemsOf(tx: Kysely<DB>, digestId: string): Promise<ItemRow[]> {
  const { rows } = await sql<ItemRow>`
    select notification_id, data, at from digest_items where digest_id = ${digestId}
     order by at, notification_id`.execute(tx);
  return rows;
}

/**
 * Closes an open digest: the row flips to closed (its lock waits out any event still joining it, whose
 * item is then read), and one new notification carries the digest, its idempotency key the digest's
 * id, so the message exists once however often closing is tried. It resumes at the step after the digest.
 */
async function closeDigest(tx: Kysely<DB>, id: string, now: Date): Promise<DigestRow | null> {
  const messageId = uuidv7();
  const { rows } = await sql<DigestRow>`
    update digests set status = 'closed', closed_at = ${now.toISOString()}::timestamptz, message_id = ${messageId}
     where id = ${id} and status = 'open'
    returning *`.execute(tx);
  const d = rows[0];
  if (!d) return null;
  const items = await itemsOf(tx, id);
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) return d;
  const { rows: src } = await sql<{ content: Record<string, unknown>; priority: number }>`
    select content, priority from notifications where id = ${last.notification_id}`.execute(tx);
  const shown = items.slice(-(d.max_items ?? DIGEST_ITEMS_SHOWN));
  await acceptMany(tx, [
    {
      id: messageId,
      serviceId: d.service_id,
      type: d.type,
      recipientId: d.recipient_id,
      channels: d.channels,
      data: {
        ...last.data,
        digest: {
          id: d.id,
          key: d.key,
          count: items.length,
          items: shown.map((i) => i.data),
          first: first.data,
          last: last.data,
        },
      },
      content: src[0]?.content ?? {},
      priority: priorityName(src[0]?.priority ?? 2),
      idempotencyKey: `digest:${d.id}`,
      requestHash: '',
    },
  ]);
  await sql`
    insert into workflow_runs (notification_id, service_id, next_step) values (${messageId}, ${d.service_id}, ${d.step + 1})
    on conflict (notification_id) do nothing`.execute(tx);
  await recordIn(tx, messageId, [
    {
      step: d.step,
      type: 'digest',
      decision: 'digest_sent',
      at: now,
      detail: { digestId: d.id, count: items.length, openedAt: d.opened_at, closedAt: now },
    },
  ]);
  return d;
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

    async escalateLater(n, step, stage, wakeAt) {
      await sql`
        insert into workflow_runs (notification_id, service_id, next_step, kind, stage, wake_at)
        values (${n.id}, ${n.serviceId}, ${step}, 'escalate', ${stage}, ${wakeAt.toISOString()}::timestamptz)
        on conflict (notification_id) do update
          set next_step = excluded.next_step, kind = 'escalate', stage = excluded.stage, wake_at = excluded.wake_at`.execute(
        db,
      );
    },

    record: (id, decisions) => recordIn(db, id, decisions),

    hold(n, owner, nextStep, wakeAt, decisions) {
      return db.transaction().execute(async (tx) => {
        if (!(await finish(tx, n.id, owner, 'waiting'))) return false;
        await sql`
          insert into workflow_runs (notification_id, service_id, next_step, wake_at)
          values (${n.id}, ${n.serviceId}, ${nextStep}, ${wakeAt.toISOString()}::timestamptz)
          on conflict (notification_id) do update
            set next_step = excluded.next_step, kind = 'delay', wake_at = excluded.wake_at`.execute(tx);
        await recordIn(tx, n.id, decisions);
        return true;
      });
    },

    throttle(n, step, scope, windowStart) {
      return db.transaction().execute(async (tx) => {
        const { rows: seen } = await sql<{ place: number }>`
          select place from workflow_throttle_hits where notification_id = ${n.id} and step = ${step}`.execute(
          tx,
        );
        if (seen[0]) return seen[0].place;
        // The upsert's row lock makes concurrent planners take their places one after another.
        const { rows } = await sql<{ count: number }>`
          insert into workflow_throttle_counts (service_id, type, step, scope, window_start, count)
          values (${n.serviceId}, ${n.type}, ${step}, ${scope}, ${windowStart.toISOString()}::timestamptz, 1)
          on conflict (service_id, type, step, scope, window_start)
          do update set count = workflow_throttle_counts.count + 1
          returning count`.execute(tx);
        const place = rows[0]?.count ?? 1;
        await sql`
          insert into workflow_throttle_hits (notification_id, step, place) values (${n.id}, ${step}, ${place})`.execute(
          tx,
        );
        return place;
      });
    },

    suppress(n, owner, reason, decisions) {
      return db.transaction().execute(async (tx) => {
        if (!(await finish(tx, n.id, owner))) return false;
        const deliveries: PlannedDelivery[] = n.channels.map((channel) => ({
          id: uuidv7(),
          recipientId: n.recipientId,
          channel,
          address: null,
          status: 'suppressed',
          reason,
          content: {},
        }));
        await insertDeliveries(tx, [{ n, deliveries }], false);
        await recordIn(tx, n.id, decisions);
        return true;
      });
    },

    digest(n, owner, join, decisions) {
      return db.transaction().execute(async (tx) => {
        if (!(await finish(tx, n.id, owner))) return null;
        const { rows } = await sql<{ id: string; count: number }>`
          insert into digests (id, service_id, recipient_id, type, step, key, channels, count, max_items, opened_at, close_at)
          values (${uuidv7()}, ${n.serviceId}, ${n.recipientId}, ${n.type}, ${join.step}, ${join.key},
                  ${JSON.stringify(join.channels)}::jsonb, 1, ${join.maxItems},
                  ${join.now.toISOString()}::timestamptz, ${join.closeAt.toISOString()}::timestamptz)
          on conflict (service_id, recipient_id, type, step, key) where status = 'open'
          do update set count = digests.count + 1
          returning id, count`.execute(tx);
        const d = rows[0];
        if (!d) throw new Error('digest upsert returned no row');
        await sql`
          insert into digest_items (digest_id, notification_id, data, at)
          values (${d.id}, ${n.id}, ${JSON.stringify(n.data)}::jsonb, ${n.createdAt.toISOString()}::timestamptz)`.execute(
          tx,
        );
        const full = join.maxItems !== null && d.count >= join.maxItems;
        if (full) await closeDigest(tx, d.id, join.now);
        const last = decisions.at(-1);
        await recordIn(
          tx,
          n.id,
          decisions.map((x) =>
            x === last
              ? { ...x, detail: { ...x.detail, digestId: d.id, position: d.count, closed: full } }
              : x,
          ),
        );
        return { digestId: d.id, count: d.count, closed: full };
      });
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
      let closed = 0;
      while (closed < limit) {
        const done = await db.transaction().execute(async (tx) => {
          const { rows } = await sql<{ id: string }>`
            select id from digests where status = 'open' and close_at <= ${now.toISOString()}::timestamptz
             order by close_at limit 1 for update skip locked`.execute(tx);
          const id = rows[0]?.id;
          return id ? (await closeDigest(tx, id, now)) !== null : false;
        });
        if (!done) break;
        closed++;
      }
      return closed;
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
