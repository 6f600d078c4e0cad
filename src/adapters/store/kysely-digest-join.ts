/**
 * A planner batch's digest joins in one transaction and a few statements, whatever its size: the
 * held notifications are marked planned at once (the lease guard, as everywhere), the events are
 * grouped by digest and each group upserts its open digest once, adding its size to the count, and
 * the items and decisions go in with one `unnest` insert each.
 *
 * The partial unique index on the open digest of a (service, recipient, type, step, key) settles
 * concurrent batches as it settles single events: the upsert's row lock orders them, and each group
 * learns the count it brought the digest to, so every event knows its place. Groups are upserted in
 * key order, so two batches touching the same digests lock them in the same order.
 *
 * A digest with `maxItems` must close the moment it is full, and the next event open a new one; its
 * events join one at a time (still in this transaction), since how many fit is known only row by row.
 */
import { sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { DigestJoin, DigestJoined } from '../../ports/workflow-store.ts';
import type { DB } from './db.ts';
import { closeDigest, recordMany } from './kysely-digest-close.ts';

const groupKey = (j: DigestJoin) => JSON.stringify([j.n.serviceId, j.n.recipientId, j.n.type, j.step, j.key]);

const byTime = (a: DigestJoin, b: DigestJoin) =>
  a.n.createdAt.getTime() - b.n.createdAt.getTime() || (a.n.id < b.n.id ? -1 : a.n.id > b.n.id ? 1 : 0);

export async function joinDigests(
  tx: Transaction<DB>,
  owner: string,
  joins: readonly DigestJoin[],
): Promise<Map<string, DigestJoined>> {
  const answers = new Map<string, DigestJoined>();
  if (joins.length === 0) return answers;
  const { rows: held } = await sql<{ id: string }>`
    update notifications
       set plan_status = 'planned', planned_at = now(), lease_owner = null, lease_expires_at = null
     where id = any(${joins.map((j) => j.n.id)}::uuid[]) and lease_owner = ${owner} and cancelled_at is null
    returning id`.execute(tx);
  const heldIds = new Set(held.map((r) => r.id));
  const groups = new Map<string, DigestJoin[]>();
  for (const j of joins) {
    if (!heldIds.has(j.n.id)) continue;
    const k = groupKey(j);
    const g = groups.get(k);
    if (g) g.push(j);
    else groups.set(k, [j]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const free = ordered
    .filter(([, g]) => (g[0] as DigestJoin).maxItems === null)
    .map(([, g]) => g.sort(byTime));
  const capped = ordered
    .filter(([, g]) => (g[0] as DigestJoin).maxItems !== null)
    .map(([, g]) => g.sort(byTime));

  const items: { digestId: string; join: DigestJoin }[] = [];
  if (free.length > 0) {
    const firsts = free.map((g) => g[0] as DigestJoin);
    const { rows } = await sql<{ id: string; count: number; ord: number }>`
      with input as (
        select * from unnest(
          ${firsts.map(() => uuidv7())}::uuid[], ${firsts.map((j) => j.n.serviceId)}::uuid[],
          ${firsts.map((j) => j.n.recipientId)}::text[], ${firsts.map((j) => j.n.type)}::text[],
          ${firsts.map((j) => j.step)}::int[], ${firsts.map((j) => j.key)}::text[],
          ${firsts.map((j) => JSON.stringify(j.channels))}::jsonb[], ${free.map((g) => g.length)}::int[],
          ${firsts.map((j) => j.now.toISOString())}::timestamptz[],
          ${firsts.map((j) => j.closeAt.toISOString())}::timestamptz[]
        ) with ordinality as i(id, service_id, recipient_id, type, step, key, channels, count, opened_at, close_at, ord)
      ), upserted as (
        insert into digests (id, service_id, recipient_id, type, step, key, channels, count, max_items, opened_at, close_at)
        select id, service_id, recipient_id, type, step, key, channels, count, null, opened_at, close_at
          from input order by ord
        on conflict (service_id, recipient_id, type, step, key) where status = 'open'
        do update set count = digests.count + excluded.count
        returning id, service_id, recipient_id, type, step, key, count
      )
      select u.id, u.count, i.ord::int as ord from upserted u
        join input i on (i.service_id, i.recipient_id, i.type, i.step, i.key)
                      = (u.service_id, u.recipient_id, u.type, u.step, u.key)`.execute(tx);
    for (const r of rows) {
      const g = free[r.ord - 1] as DigestJoin[];
      g.forEach((join, i) => {
        answers.set(join.n.id, { digestId: r.id, position: r.count - g.length + i + 1, closed: false });
        items.push({ digestId: r.id, join });
      });
    }
  }
  for (const g of capped) {
    for (const join of g) {
      const { rows } = await sql<{ id: string; count: number }>`
        insert into digests (id, service_id, recipient_id, type, step, key, channels, count, max_items, opened_at, close_at)
        values (${uuidv7()}, ${join.n.serviceId}, ${join.n.recipientId}, ${join.n.type}, ${join.step}, ${join.key},
                ${JSON.stringify(join.channels)}::jsonb, 1, ${join.maxItems},
                ${join.now.toISOString()}::timestamptz, ${join.closeAt.toISOString()}::timestamptz)
        on conflict (service_id, recipient_id, type, step, key) where status = 'open'
        do update set count = digests.count + 1
        returning id, count`.execute(tx);
      const d = rows[0];
      if (!d) throw new Error('digest upsert returned no row');
      await insertItems(tx, [{ digestId: d.id, join }]);
      const full = join.maxItems !== null && d.count >= join.maxItems;
      if (full) await closeDigest(tx, d.id, join.now);
      answers.set(join.n.id, { digestId: d.id, position: d.count, closed: full });
    }
  }
  await insertItems(tx, items);
  await recordMany(
    tx,
    joins.flatMap((j) => {
      const a = answers.get(j.n.id);
      if (!a) return [];
      const last = j.decisions.at(-1);
      const decisions = j.decisions.map((x) =>
        x === last
          ? { ...x, detail: { ...x.detail, digestId: a.digestId, position: a.position, closed: a.closed } }
          : x,
      );
      return [{ notificationId: j.n.id, decisions }];
    }),
  );
  return answers;
}

async function insertItems(
  tx: Transaction<DB>,
  items: readonly { digestId: string; join: DigestJoin }[],
): Promise<void> {
  if (items.length === 0) return;
  await sql`
    insert into digest_items (digest_id, notification_id, data, at)
    select * from unnest(
      ${items.map((i) => i.digestId)}::uuid[], ${items.map((i) => i.join.n.id)}::uuid[],
      ${items.map((i) => JSON.stringify(i.join.n.data))}::jsonb[],
      ${items.map((i) => i.join.n.createdAt.toISOString())}::timestamptz[])`.execute(tx);
}
