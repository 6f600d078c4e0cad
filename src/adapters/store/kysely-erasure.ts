import { sql } from 'kysely';
import type { ErasureStore } from '../../ports/preferences-store.ts';
import type { Db } from './db.ts';

export function kyselyErasureStore(db: Db): ErasureStore {
  return {
    async erase(serviceId, recipientId) {
      return db.transaction().execute(async (tx) => {
        // Captured copies of sent messages hold addresses and bodies; they go first, by delivery.
        await sql`delete from captured_messages c using deliveries d
                   where c.delivery_id = d.id and d.service_id = ${serviceId} and d.recipient_id = ${recipientId}`.execute(
          tx,
        );
        await sql`update delivery_attempts a set error_message = null, provider_message_id = null
                    from deliveries d
                   where a.delivery_id = d.id and d.service_id = ${serviceId} and d.recipient_id = ${recipientId}`.execute(
          tx,
        );
        // The delivery's own id is random, so 'erased:<id>' links to nobody and stays unique.
        const anonymised = await sql`
          update deliveries
             set recipient_id = 'erased:' || id, address = null, content = '{}'::jsonb,
                 last_error_message = null, provider_message_id = null, updated_at = now()
           where service_id = ${serviceId} and recipient_id = ${recipientId}`.execute(tx);
        await tx
          .updateTable('notifications')
          .set({ recipient_id: null, data: '{}', content: '{}' })
          .where('service_id', '=', serviceId)
          .where('recipient_id', '=', recipientId)
          .execute();
        // Subscriptions and uploaded audience lines name the recipient (and may carry its data).
        await sql`delete from topic_subscribers where service_id = ${serviceId} and recipient_id = ${recipientId}`.execute(
          tx,
        );
        await sql`delete from audience_members m using audiences a
                   where m.audience_id = a.id and a.service_id = ${serviceId} and m.recipient_id = ${recipientId}`.execute(
          tx,
        );
        // Devices go with the recipient row (on delete cascade).
        const deleted = await tx
          .deleteFrom('recipients')
          .where('service_id', '=', serviceId)
          .where('id', '=', recipientId)
          .executeTakeFirst();
        return {
          erased: deleted.numDeletedRows > 0n,
          deliveriesAnonymised: Number(anonymised.numAffectedRows ?? 0n),
        };
      });
    },
  };
}
