/**
 * Many notifications made durable in one transaction: one `unnest` insert for all of them, their
 * inline recipients, one lookup of the idempotency keys already taken, one wake-up for the planner.
 * A notification that is not written (a replay, a conflict) writes its inline recipient neither. Group commit on the
 * single endpoint and the batch endpoint both write through here.
 *
 * Idempotency stays exact row by row. Within the set, the first row with a given (service, key) is
 * the one inserted; a later row with the same key answers as a replay of it. Against rows already
 * stored, `on conflict do nothing` waits for a concurrent writer of the same key to finish, and the
 * lookup that follows (a new statement, so a new snapshot) sees the row that won.
 */
import { sql } from 'kysely';
import type { NewNotification } from '../../domain/types.ts';
import type { AcceptResult } from '../../ports/store.ts';
import type { Db } from './db.ts';
import { WAKE_CHANNEL } from './connect.ts';
import { upsertRecipients } from './kysely-upsert-recipients.ts';

const PRIORITY = { critical: 0, high: 1, normal: 2, low: 3 } as const;

const keyOf = (serviceId: string, key: string) => JSON.stringify([serviceId, key]);

export async function acceptMany(db: Db, ns: readonly NewNotification[]): Promise<AcceptResult[]> {
  if (ns.length === 0) return [];
  // The first row of each (service, key) is written; the rest of the set replays it.
  const leaders = new Map<string, NewNotification>();
  const toInsert: NewNotification[] = [];
  for (const n of ns) {
    if (n.idempotencyKey === null) {
      toInsert.push(n);
      continue;
    }
    const k = keyOf(n.serviceId, n.idempotencyKey);
    if (leaders.has(k)) continue;
    leaders.set(k, n);
    toInsert.push(n);
  }
  const { inserted, existing } = await db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ id: string }>`
      insert into notifications
        (id, service_id, type, recipient_id, audience, channels, data, content, priority,
         idempotency_key, request_hash)
      select * from unnest(
        ${toInsert.map((n) => n.id)}::uuid[],
        ${toInsert.map((n) => n.serviceId)}::uuid[],
        ${toInsert.map((n) => n.type)}::text[],
        ${toInsert.map((n) => (n.audience ? null : n.recipientId))}::text[],
        ${toInsert.map((n) => (n.audience ? JSON.stringify(n.audience) : null))}::jsonb[],
        ${toInsert.map((n) => JSON.stringify(n.channels))}::jsonb[],
        ${toInsert.map((n) => JSON.stringify(n.data))}::jsonb[],
        ${toInsert.map((n) => JSON.stringify(n.content))}::jsonb[],
        ${toInsert.map((n) => PRIORITY[n.priority])}::smallint[],
        ${toInsert.map((n) => n.idempotencyKey)}::text[],
        ${toInsert.map((n) => n.requestHash)}::text[])
      on conflict (service_id, idempotency_key) do nothing
      returning id`.execute(tx);
    const inserted = new Set(rows.map((r) => r.id));
    const lost = toInsert.filter((n) => !inserted.has(n.id));
    const existing = new Map<string, { id: string; requestHash: string }>();
    if (lost.length > 0) {
      const found = await sql<{
        id: string;
        service_id: string;
        idempotency_key: string;
        request_hash: string;
      }>`
        select n.id, n.service_id, n.idempotency_key, n.request_hash
          from notifications n
          join unnest(${lost.map((n) => n.serviceId)}::uuid[], ${lost.map((n) => n.idempotencyKey)}::text[])
               as k(service_id, idempotency_key)
            on n.service_id = k.service_id and n.idempotency_key = k.idempotency_key`.execute(tx);
      for (const r of found.rows)
        existing.set(keyOf(r.service_id, r.idempotency_key), { id: r.id, requestHash: r.request_hash });
    }
    await upsertRecipients(
      tx,
      toInsert.flatMap((n) =>
        n.inlineRecipient && inserted.has(n.id)
          ? [{ serviceId: n.serviceId, id: n.recipientId, fields: n.inlineRecipient }]
          : [],
      ),
    );
    if (inserted.size > 0) await sql`select pg_notify(${WAKE_CHANNEL}, 'plan')`.execute(tx);
    return { inserted, existing };
  });
  return ns.map((n): AcceptResult => {
    if (inserted.has(n.id)) return { created: true, id: n.id };
    const k = keyOf(n.serviceId, n.idempotencyKey ?? '');
    const leader = leaders.get(k);
    if (leader && leader !== n && inserted.has(leader.id))
      return { created: false, id: leader.id, requestHash: leader.requestHash };
    const found = existing.get(k);
    if (!found) throw new Error(`notification ${n.id} was neither inserted nor found by its idempotency key`);
    return { created: false, ...found };
  });
}
