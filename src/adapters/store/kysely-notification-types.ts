import { sql, type Selectable } from 'kysely';
import type { Channel } from '../../domain/channels.ts';
import type { NotificationTypeDef } from '../../domain/notification-types.ts';
import type { TypeKind } from '../../domain/preferences.ts';
import type { Step } from '../../domain/workflow-steps.ts';
import type { NotificationTypeStore } from '../../ports/preferences-store.ts';
import { json, type Db, type NotificationTypesTable } from './db.ts';

const toType = (row: Selectable<NotificationTypesTable>): NotificationTypeDef => ({
  key: row.key,
  description: row.description,
  category: row.category,
  kind: row.kind as TypeKind,
  defaultChannels: row.default_channels as Channel[],
  ttlSeconds: row.ttl_seconds,
  collapseKey: row.collapse_key,
  tracking: row.tracking,
  steps: (row.steps as Step[] | null) ?? null,
});

export function kyselyNotificationTypeStore(db: Db): NotificationTypeStore {
  return {
    async put(serviceId, t) {
      const row = await db
        .insertInto('notification_types')
        .values({
          service_id: serviceId,
          key: t.key,
          description: t.description,
          category: t.category,
          kind: t.kind,
          default_channels: json(t.defaultChannels),
          ttl_seconds: t.ttlSeconds,
          collapse_key: t.collapseKey,
          tracking: t.tracking ? json(t.tracking) : null,
          steps: t.steps?.length ? json(t.steps) : null,
        })
        .onConflict((oc) =>
          oc.columns(['service_id', 'key']).doUpdateSet((eb) => ({
            description: eb.ref('excluded.description'),
            category: eb.ref('excluded.category'),
            kind: eb.ref('excluded.kind'),
            default_channels: eb.ref('excluded.default_channels'),
            ttl_seconds: eb.ref('excluded.ttl_seconds'),
            collapse_key: eb.ref('excluded.collapse_key'),
            tracking: eb.ref('excluded.tracking'),
            steps: eb.ref('excluded.steps'),
            updated_at: sql<Date>`now()`,
          })),
        )
        .returningAll()
        .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
        .executeTakeFirstOrThrow();
      return { type: toType(row), created: row.inserted };
    },
    async get(serviceId, key) {
      const row = await db
        .selectFrom('notification_types')
        .selectAll()
        .where('service_id', '=', serviceId)
        .where('key', '=', key)
        .executeTakeFirst();
      return row ? toType(row) : null;
    },
    async list(serviceId) {
      const rows = await db
        .selectFrom('notification_types')
        .selectAll()
        .where('service_id', '=', serviceId)
        .orderBy('key')
        .execute();
      return rows.map(toType);
    },
  };
}
