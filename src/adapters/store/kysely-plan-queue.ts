import { sql } from 'kysely';
import type { PlanQueue } from '../../ports/store.ts';
import type { Channel } from '../../domain/channels.ts';
import type { NotificationToPlan } from '../../domain/types.ts';
import { PRIORITY_RANK, priorityName } from '../../domain/types.ts';
import { json, type Db, type NotificationsTable } from './db.ts';
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
});

/** Rows per INSERT: well under the 65,535 parameters a statement may carry (about 20 per row). */
const INSERT_ROWS = 1000;

export function kyselyPlanQueue(db: Db): PlanQueue {
  const completeMany: PlanQueue['completeMany'] = async (owner, planned) => {
    if (planned.length === 0) return;
    await db.transaction().execute(async (tx) => {
      // The notification rows first: one whose planner lost its lease (or that was cancelled meanwhile,
      // which clears the lease) gets nothing written; the lock also orders this against a concurrent
      // cancel, which then sees these deliveries.
      const marked = await tx
        .updateTable('notifications')
        .set({
          plan_status: 'planned',
          planned_at: sql<Date>`now()`,
          lease_owner: null,
          lease_expires_at: null,
        })
        .where(
          'id',
          'in',
          planned.map((p) => p.n.id),
        )
        .where('lease_owner', '=', owner)
        .returning('id')
        .execute();
      const kept = new Set(marked.map((r) => r.id));
      const rows = planned
        .filter((p) => kept.has(p.n.id))
        .flatMap(({ n, deliveries }) =>
          deliveries.map((d) => ({
            id: d.id,
            notification_id: n.id,
            service_id: n.serviceId,
            recipient_id: d.recipientId,
            channel: d.channel,
            address: d.address,
            status: d.status,
            priority: PRIORITY_RANK[n.priority],
            provider: null,
            content: json(d.content),
            reason: d.reason,
            lease_owner: null,
            lease_expires_at: null,
            last_error_code: d.status === 'failed' ? d.reason : null,
            last_error_message: d.errorMessage ?? null,
            provider_message_id: null,
            sent_at: null,
            ...(d.notBefore ? { next_attempt_at: d.notBefore } : {}),
            target: d.target ?? '',
            template: d.template ? json(d.template) : null,
          })),
        );
      for (let i = 0; i < rows.length; i += INSERT_ROWS) {
        await tx
          .insertInto('deliveries')
          .values(rows.slice(i, i + INSERT_ROWS))
          // A re-run after a crash adds nothing: (notification, recipient, channel, target) is unique.
          .onConflict((oc) =>
            oc.columns(['notification_id', 'recipient_id', 'channel', 'target']).doNothing(),
          )
          .execute();
      }
      const lanes = new Set(rows.filter((r) => r.status === 'queued').map((r) => r.channel));
      for (const lane of lanes) await sql`select pg_notify(${WAKE_CHANNEL}, ${`lane:${lane}`})`.execute(tx);
    });
  };

  return {
    /** Pending notifications, and ones whose planner died (lease expired), oldest first. */
    async claim(owner, limit, leaseMs, opts) {
      const broadcasts = Math.min(limit, opts?.broadcasts ?? limit);
      const claimable = sql`(plan_status = 'pending' or (plan_status = 'planning' and lease_expires_at < now()))`;
      const { rows } = await sql<Selectable<NotificationsTable>>`
        with single as (
          select id from notifications where ${claimable} and audience is null
           order by priority, created_at limit ${limit} for update skip locked
        ), broadcast as (
          select id from notifications where ${claimable} and audience is not null
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

    complete(n, owner, deliveries) {
      return completeMany(owner, [{ n, deliveries }]);
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
