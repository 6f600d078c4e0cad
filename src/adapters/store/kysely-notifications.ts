import { sql } from 'kysely';
import type { NotificationStore } from '../../ports/store.ts';
import type { AttemptRecord, DeliveryView, NotificationView } from '../../domain/types.ts';
import { priorityName } from '../../domain/types.ts';
import { FINAL_STATES, type DeliveryState } from '../../domain/delivery-states.ts';
import { type Db, type NotificationsTable } from './db.ts';
import type { Selectable } from 'kysely';
import { countByState, notificationOutcome } from '../../domain/notification-outcome.ts';
import { acceptMany } from './kysely-accept-many.ts';

export function kyselyNotificationStore(db: Db): NotificationStore {
  return {
    async accept(n) {
      const [result] = await acceptMany(db, [n]);
      if (!result) throw new Error('acceptMany returned no result');
      return result;
    },

    acceptMany: (ns) => acceptMany(db, ns),

    async view(serviceId, id) {
      const n = await db
        .selectFrom('notifications')
        .selectAll()
        .where('service_id', '=', serviceId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!n) return null;
      if (n.audience) return broadcastView(db, n);
      const deliveries = await db
        .selectFrom('deliveries')
        .selectAll()
        .where('notification_id', '=', id)
        .orderBy('channel')
        .orderBy('recipient_id')
        .execute();
      const attempts = deliveries.length
        ? await db
            .selectFrom('delivery_attempts')
            .selectAll()
            .where(
              'delivery_id',
              'in',
              deliveries.map((d) => d.id),
            )
            .orderBy('id')
            .execute()
        : [];
      const byDelivery = new Map<string, AttemptRecord[]>();
      for (const a of attempts) {
        const list = byDelivery.get(a.delivery_id) ?? [];
        list.push({
          attempt: a.attempt,
          provider: a.provider,
          startedAt: a.started_at,
          durationMs: a.duration_ms,
          outcome: a.outcome as AttemptRecord['outcome'],
          errorCode: a.error_code,
          errorMessage: a.error_message,
          providerMessageId: a.provider_message_id,
        });
        byDelivery.set(a.delivery_id, list);
      }
      const views: DeliveryView[] = deliveries.map((d) => ({
        id: d.id,
        channel: d.channel,
        recipient: d.recipient_id,
        address: d.address,
        status: d.status as DeliveryState,
        reason: d.reason,
        provider: d.provider,
        attempts: byDelivery.get(d.id) ?? [],
        nextAttemptAt: FINAL_STATES.has(d.status as DeliveryState) ? null : d.next_attempt_at,
        createdAt: d.created_at,
        updatedAt: d.updated_at,
        sentAt: d.sent_at,
        template: d.template,
      }));
      let status: NotificationView['status'];
      if (n.cancelled_at) status = 'cancelled';
      else if (n.plan_status === 'failed') status = 'failed';
      else if (n.plan_status === 'waiting') status = 'waiting';
      else if (n.plan_status !== 'planned') status = 'accepted';
      else status = views.every((d) => FINAL_STATES.has(d.status)) ? 'completed' : 'processing';
      return {
        id: n.id,
        type: n.type,
        status,
        outcome:
          status === 'completed' ? notificationOutcome(countByState(views.map((d) => d.status))) : null,
        priority: priorityName(n.priority),
        recipient: n.recipient_id,
        channels: n.channels,
        idempotencyKey: n.idempotency_key,
        planError: n.plan_error,
        createdAt: n.created_at,
        plannedAt: n.planned_at,
        deliveries: views,
      };
    },
  };
}

/**
 * A broadcast has too many deliveries to list: it answers with progress instead. `planned` and
 * `total` come from the notification row; counts by status read one index range of this
 * notification's deliveries (the `notification_id` prefix of deliveries_once), never the whole table.
 */
async function broadcastView(db: Db, n: Selectable<NotificationsTable>): Promise<NotificationView> {
  const { rows } = await sql<{ status: DeliveryState; n: number }>`
    select status, count(*)::int as n from deliveries where notification_id = ${n.id} group by status`.execute(
    db,
  );
  const counts: Partial<Record<DeliveryState, number>> = {};
  for (const r of rows) counts[r.status] = r.n;
  const open = rows.some((r) => !FINAL_STATES.has(r.status) && r.n > 0);
  let status: NotificationView['status'];
  if (n.cancelled_at) status = 'cancelled';
  else if (n.plan_status === 'failed') status = 'failed';
  else if (n.plan_status !== 'planned') status = Number(n.planned_count) === 0 ? 'accepted' : 'processing';
  else status = open ? 'processing' : 'completed';
  return {
    id: n.id,
    type: n.type,
    status,
    outcome: status === 'completed' ? notificationOutcome(counts) : null,
    priority: priorityName(n.priority),
    recipient: null,
    channels: n.channels,
    idempotencyKey: n.idempotency_key,
    planError: n.plan_error,
    createdAt: n.created_at,
    plannedAt: n.planned_at,
    cancelledAt: n.cancelled_at,
    audience: n.audience,
    progress: {
      planned: Number(n.planned_count),
      total: n.total_count === null ? null : Number(n.total_count),
      deliveries: counts,
    },
    deliveries: [],
  };
}
