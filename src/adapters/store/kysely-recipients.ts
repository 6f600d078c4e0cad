import { sql } from 'kysely';
import type { RecipientStore } from '../../ports/store.ts';
import type { Recipient } from '../../domain/types.ts';
import { json, type Db, type RecipientsTable } from './db.ts';
import type { Selectable } from 'kysely';

/** A stored recipients row as the domain sees it. */
export const toRecipient = (row: Selectable<RecipientsTable>): Recipient => ({
  id: row.id,
  email: row.email,
  phone: row.phone,
  locale: row.locale,
  timezone: row.timezone,
  attributes: row.attributes,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function kyselyRecipientStore(db: Db): RecipientStore {
  return {
    /** Fields left out keep their value; `null` clears one. `xmax = 0` tells an insert from an update. */
    async upsert(serviceId, id, fields) {
      const values = {
        service_id: serviceId,
        id,
        email: fields.email ?? null,
        phone: fields.phone ?? null,
        locale: fields.locale ?? null,
        timezone: fields.timezone ?? null,
        attributes: json(fields.attributes ?? {}),
      };
      const row = await db
        .insertInto('recipients')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['service_id', 'id']).doUpdateSet((eb) => ({
            ...(fields.email !== undefined ? { email: eb.ref('excluded.email') } : {}),
            ...(fields.phone !== undefined ? { phone: eb.ref('excluded.phone') } : {}),
            ...(fields.locale !== undefined ? { locale: eb.ref('excluded.locale') } : {}),
            ...(fields.timezone !== undefined ? { timezone: eb.ref('excluded.timezone') } : {}),
            ...(fields.attributes !== undefined ? { attributes: eb.ref('excluded.attributes') } : {}),
            updated_at: sql<Date>`now()`,
          })),
        )
        .returningAll()
        .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
        .executeTakeFirstOrThrow();
      return { recipient: toRecipient(row), created: row.inserted };
    },
    async get(serviceId, id) {
      const row = await db
        .selectFrom('recipients')
        .selectAll()
        .where('service_id', '=', serviceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toRecipient(row) : null;
    },
  };
}
