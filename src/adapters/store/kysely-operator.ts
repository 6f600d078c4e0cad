/** The operator's lists: services (admin), notification search and a delivery's status history. */
import { sql } from 'kysely';
import type { OperatorStore } from '../../ports/operator.ts';
import type { Db } from './db.ts';

export function kyselyOperator(db: Db): OperatorStore {
  return {
    async services() {
      const { rows } = await sql<{ id: string; name: string; created_at: Date; keys: number }>`
        select s.id, s.name, s.created_at,
               (select count(*)::int from api_keys k where k.service_id = s.id and k.revoked_at is null) as keys
          from services s order by s.created_at desc, s.id limit 1000`.execute(db);
      return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, keys: r.keys }));
    },

    async searchNotifications(q) {
      const { rows } = await sql<{
        id: string;
        type: string;
        recipient_id: string | null;
        plan_status: string;
        created_at: Date;
        cursor_at: string;
        deliveries: { id: string; channel: string; status: string }[] | null;
      }>`
        select n.id, n.type, n.recipient_id, n.plan_status, n.created_at, n.created_at::text as cursor_at,
               (select jsonb_agg(jsonb_build_object('id', d.id, 'channel', d.channel, 'status', d.status)
                                 order by d.channel)
                  from deliveries d where d.notification_id = n.id) as deliveries
          from notifications n
         where n.service_id = ${q.serviceId}
           and (${q.recipientId ?? null}::text is null or n.recipient_id = ${q.recipientId ?? null})
           and (${q.type ?? null}::text is null or n.type = ${q.type ?? null})
           and (${q.before ?? null}::timestamptz is null or n.created_at < ${q.before ?? null})
           and (${q.after?.createdAt ?? null}::timestamptz is null
                or (n.created_at, n.id) < (${q.after?.createdAt ?? null}::timestamptz, ${q.after?.id ?? null}::uuid))
           and (${q.deliveryStatus ?? null}::text is null or exists (
                 select 1 from deliveries d
                  where d.notification_id = n.id and d.status = ${q.deliveryStatus ?? null}))
         order by n.created_at desc, n.id desc
         limit ${q.limit}`.execute(db);
      return rows.map((r) => ({
        id: r.id,
        type: r.type,
        recipientId: r.recipient_id,
        status: r.plan_status,
        createdAt: r.created_at,
        deliveries: r.deliveries ?? [],
        cursor: { createdAt: r.cursor_at, id: r.id },
      }));
    },

    async statusLog(serviceId, deliveryId) {
      const owned =
        await sql`select 1 from deliveries where id = ${deliveryId} and service_id = ${serviceId}`.execute(
          db,
        );
      if (owned.rows.length === 0) return null;
      const { rows } = await sql<{
        status: string;
        reason: string | null;
        provider: string | null;
        at: Date;
      }>`
        select status, reason, provider, occurred_at as at from delivery_status_log
         where delivery_id = ${deliveryId} and service_id = ${serviceId} order by id`.execute(db);
      return rows;
    },
  };
}
