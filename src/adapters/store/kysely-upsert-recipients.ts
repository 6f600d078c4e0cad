/**
 * Inline recipients of many accepted notifications, upserted in one statement inside their
 * transaction. Fields left out keep their stored value, `null` clears one, as in PUT /v1/recipients.
 * The same recipient named twice in one set is merged first, later fields over earlier ones, since
 * one statement may not update a row twice.
 */
import { sql, type Transaction } from 'kysely';
import type { RecipientFields } from '../../domain/types.ts';
import type { DB } from './db.ts';

export interface RecipientUpsert {
  serviceId: string;
  id: string;
  fields: RecipientFields;
}

type Field = 'email' | 'phone' | 'locale' | 'timezone' | 'attributes';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function upsertRecipients(
  tx: Transaction<DB>,
  upserts: readonly RecipientUpsert[],
): Promise<void> {
  const merged = new Map<string, RecipientUpsert>();
  for (const u of upserts) {
    const k = JSON.stringify([u.serviceId, u.id]);
    const before = merged.get(k);
    const defined = Object.fromEntries(Object.entries(u.fields).filter(([, v]) => v !== undefined));
    merged.set(k, { serviceId: u.serviceId, id: u.id, fields: { ...before?.fields, ...defined } });
  }
  // In one order whatever the request's: two transactions that wait on each other's rows (a
  // concurrent insert of the same recipient, a row being updated) then wait in the same order, and
  // cannot deadlock.
  const rows = [...merged.values()].sort((a, b) =>
    a.serviceId === b.serviceId ? cmp(a.id, b.id) : cmp(a.serviceId, b.serviceId),
  );
  if (rows.length === 0) return;
  // Every recipient exists after this statement: made now, or already there (a concurrent maker of
  // the same one is waited for). Those already there then get the fields that were given.
  const { rows: made } = await sql<{ service_id: string; id: string }>`
    insert into recipients (service_id, id, email, phone, locale, timezone, attributes)
    select * from unnest(
      ${rows.map((r) => r.serviceId)}::uuid[], ${rows.map((r) => r.id)}::text[],
      ${rows.map((r) => r.fields.email ?? null)}::text[], ${rows.map((r) => r.fields.phone ?? null)}::text[],
      ${rows.map((r) => r.fields.locale ?? null)}::text[], ${rows.map((r) => r.fields.timezone ?? null)}::text[],
      ${rows.map((r) => JSON.stringify(r.fields.attributes ?? {}))}::jsonb[])
    on conflict (service_id, id) do nothing
    returning service_id, id`.execute(tx);
  const isNew = new Set(made.map((r) => JSON.stringify([r.service_id, r.id])));
  // Named with no fields, an existing recipient has nothing to change.
  const old = rows.filter(
    (r) => !isNew.has(JSON.stringify([r.serviceId, r.id])) && Object.keys(r.fields).length > 0,
  );
  if (old.length === 0) return;
  const given = (f: Field) => old.map((r) => r.fields[f] !== undefined);
  // The rows are locked in key order first (a locking CTE, materialised): the update's own join may
  // visit them in any order.
  await sql`
    with u as (
      select * from unnest(
        ${old.map((r) => r.serviceId)}::uuid[], ${old.map((r) => r.id)}::text[],
        ${old.map((r) => r.fields.email ?? null)}::text[], ${old.map((r) => r.fields.phone ?? null)}::text[],
        ${old.map((r) => r.fields.locale ?? null)}::text[], ${old.map((r) => r.fields.timezone ?? null)}::text[],
        ${old.map((r) => (r.fields.attributes === undefined ? null : JSON.stringify(r.fields.attributes)))}::jsonb[],
        ${given('email')}::bool[], ${given('phone')}::bool[], ${given('locale')}::bool[],
        ${given('timezone')}::bool[], ${given('attributes')}::bool[])
        as u(service_id, id, email, phone, locale, timezone, attributes,
             has_email, has_phone, has_locale, has_timezone, has_attributes)
    ), locked as (
      select r.service_id, r.id from recipients r join u on r.service_id = u.service_id and r.id = u.id
       order by r.service_id, r.id
         for update of r
    )
    update recipients r set
      email = case when u.has_email then u.email else r.email end,
      phone = case when u.has_phone then u.phone else r.phone end,
      locale = case when u.has_locale then u.locale else r.locale end,
      timezone = case when u.has_timezone then u.timezone else r.timezone end,
      attributes = case when u.has_attributes then u.attributes else r.attributes end,
      updated_at = now()
    from u join locked l on l.service_id = u.service_id and l.id = u.id
    where r.service_id = u.service_id and r.id = u.id`.execute(tx);
}
