import { sql, type Selectable } from 'kysely';
import type { Recipient } from '../../domain/types.ts';
import type { Db, RecipientsTable } from './db.ts';
import { toRecipient } from './kysely-recipients.ts';

/** The stored recipients among `ids`, in one read (a batch's single recipients). */
export async function recipientsByIds(
  db: Db,
  serviceId: string,
  ids: readonly string[],
): Promise<Recipient[]> {
  if (ids.length === 0) return [];
  // One array parameter, not a thousand: cheaper to build, send and plan.
  const { rows } = await sql<Selectable<RecipientsTable>>`
    select * from recipients where service_id = ${serviceId} and id = any(${ids}::text[])`.execute(db);
  return rows.map(toRecipient);
}

/** Recipients by (service, id), many services at once, one read: each key's row or null, in order. */
export async function recipientsByKeys(
  db: Db,
  keys: readonly { serviceId: string; id: string }[],
): Promise<(Recipient | null)[]> {
  if (keys.length === 0) return [];
  const { rows } = await sql<Selectable<RecipientsTable>>`
    select r.* from recipients r
      join unnest(${keys.map((k) => k.serviceId)}::uuid[], ${keys.map((k) => k.id)}::text[]) as k(service_id, id)
        on r.service_id = k.service_id and r.id = k.id`.execute(db);
  const found = new Map(rows.map((row) => [JSON.stringify([row.service_id, row.id]), toRecipient(row)]));
  return keys.map((k) => found.get(JSON.stringify([k.serviceId, k.id])) ?? null);
}
