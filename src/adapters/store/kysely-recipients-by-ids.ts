import type { Recipient } from '../../domain/types.ts';
import type { Db } from './db.ts';

/** The stored recipients among `ids`, in one read (a batch's single recipients). */
export async function recipientsByIds(
  db: Db,
  serviceId: string,
  ids: readonly string[],
): Promise<Recipient[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('recipients')
    .selectAll()
    .where('service_id', '=', serviceId)
    .where('id', 'in', ids)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    phone: row.phone,
    locale: row.locale,
    timezone: row.timezone,
    attributes: row.attributes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}
