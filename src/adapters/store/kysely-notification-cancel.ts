import { sql } from 'kysely';
import { sourcesOf } from '../../domain/delivery-states.ts';
import type { NotificationCanceller } from '../../ports/audience-store.ts';
import type { Db } from './db.ts';

export function kyselyNotificationCanceller(db: Db): NotificationCanceller {
  return {
    async cancel(serviceId, id) {
      return db.transaction().execute(async (tx) => {
        // Locking the notification row first waits out a planner batch in flight; its deliveries are
        // then visible to the update below, and every later batch sees cancelled_at and writes nothing.
        const { rows } = await sql<{ id: string }>`
          update notifications
             set cancelled_at = coalesce(cancelled_at, now()),
                 plan_status = case when plan_status in ('pending', 'planning') then 'cancelled' else plan_status end,
                 lease_owner = null, lease_expires_at = null
           where service_id = ${serviceId} and id = ${id}
          returning id`.execute(tx);
        if (rows.length === 0) return null;
        const res = await sql`
          update deliveries set status = 'cancelled', reason = 'cancelled', updated_at = now()
           where notification_id = ${id} and status in (${sql.join(sourcesOf('cancelled'))})`.execute(tx);
        return { cancelledDeliveries: Number(res.numAffectedRows ?? 0n) };
      });
    },
  };
}
