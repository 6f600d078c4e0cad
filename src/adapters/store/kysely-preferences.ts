import { sql } from 'kysely';
import type { PreferenceStore } from '../../ports/preferences-store.ts';
import { json, type Db } from './db.ts';

export function kyselyPreferenceStore(db: Db): PreferenceStore {
  return {
    async get(serviceId, recipientId) {
      const row = await db
        .selectFrom('recipients')
        .select('preferences')
        .where('service_id', '=', serviceId)
        .where('id', '=', recipientId)
        .executeTakeFirst();
      return row ? row.preferences : null;
    },
    async update(serviceId, recipientId, change) {
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .selectFrom('recipients')
          .select('preferences')
          .where('service_id', '=', serviceId)
          .where('id', '=', recipientId)
          .forUpdate()
          .executeTakeFirst();
        if (!row) return null;
        const next = change(row.preferences);
        await tx
          .updateTable('recipients')
          .set({ preferences: json(next), updated_at: sql<Date>`now()` })
          .where('service_id', '=', serviceId)
          .where('id', '=', recipientId)
          .execute();
        return next;
      });
    },
    async serviceDefaults(serviceId) {
      const row = await db
        .selectFrom('services')
        .select('preference_defaults')
        .where('id', '=', serviceId)
        .executeTakeFirst();
      return row?.preference_defaults ?? {};
    },
    async setServiceDefaults(serviceId, defaults) {
      await db
        .updateTable('services')
        .set({ preference_defaults: json(defaults) })
        .where('id', '=', serviceId)
        .execute();
    },
    async countRecent(serviceId, recipientId, since, exclude) {
      const row = await db
        .selectFrom('deliveries')
        .select(sql<string>`count(distinct notification_id)`.as('n'))
        .where('service_id', '=', serviceId)
        .where('recipient_id', '=', recipientId)
        .where('created_at', '>', since)
        .where('notification_id', '<>', exclude)
        .where('status', 'not in', ['suppressed', 'failed'])
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
