/**
 * The inbox on PostgreSQL/PGlite. Every write takes the recipient's `inbox_cursors` row lock first,
 * then changes items and appends its events with the next sequence numbers, in one transaction. So a
 * recipient's events are numbered in commit order without gaps, which is what makes resuming exact.
 */
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import {
  applyPatch,
  EVENT_RETENTION_MS,
  reviveEvent,
  type InboxCounts,
  type InboxEvent,
  type InboxEventBody,
  type InboxItem,
} from '../../domain/inbox.ts';
import type { InboxDelivery, InboxStore, RecipientRef } from '../../ports/inbox.ts';
import { json, type DB, type Db } from './db.ts';
import type { InboxEventsTable, InboxTables, InboxItemsTable } from './inbox-tables.ts';

type IDb = Kysely<DB & InboxTables>;
type Tx = Transaction<DB & InboxTables>;

const toItem = (r: Selectable<InboxItemsTable>): InboxItem => ({
  id: r.id,
  type: r.type,
  title: r.title,
  body: r.body,
  actionUrl: r.action_url,
  data: r.data,
  collapseKey: r.collapse_key,
  createdAt: r.created_at,
  seenAt: r.seen_at,
  readAt: r.read_at,
  archivedAt: r.archived_at,
  expiresAt: r.expires_at,
});

/** The row a delivery becomes: a fresh, unseen, unread item. */
const newItemRow = (d: InboxDelivery, type: string, now: Date): Insertable<InboxItemsTable> => ({
  id: uuidv7(),
  service_id: d.serviceId,
  recipient_id: d.recipientId,
  notification_id: d.notificationId,
  delivery_id: d.deliveryId,
  type,
  title: d.draft.title,
  body: d.draft.body,
  action_url: d.draft.actionUrl,
  data: json(d.draft.data),
  collapse_key: d.draft.collapseKey,
  created_at: now,
  seen_at: null,
  read_at: null,
  archived_at: null,
  expires_at: d.draft.expiresAt,
});

type Delivered = { itemId: string; lastSeq: number; created: boolean; events?: InboxEvent[] };
const keyOf = (serviceId: string, recipientId: string) => `${serviceId}\u0000${recipientId}`;
const cmpRef = (a: RecipientRef, b: RecipientRef) =>
  a.serviceId < b.serviceId
    ? -1
    : a.serviceId > b.serviceId
      ? 1
      : a.recipientId < b.recipientId
        ? -1
        : a.recipientId > b.recipientId
          ? 1
          : 0;

export function kyselyInboxStore(base: Db): InboxStore {
  const db: IDb = base.withTables<InboxTables>();

  /** Locks the recipient's counter row (creating it) and returns its value. */
  async function lockCursor(tx: Tx, r: RecipientRef): Promise<number> {
    const row = await tx
      .insertInto('inbox_cursors')
      .values({ service_id: r.serviceId, recipient_id: r.recipientId, last_seq: 0 })
      .onConflict((oc) =>
        oc.columns(['service_id', 'recipient_id']).doUpdateSet({ last_seq: sql`inbox_cursors.last_seq` }),
      )
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    return Number(row.last_seq);
  }

  async function countsIn(q: IDb | Tx, r: RecipientRef, now: Date): Promise<InboxCounts> {
    const { rows } = await sql<{ unread: number; unseen: number }>`
      select count(*) filter (where read_at is null)::int as unread,
             count(*) filter (where seen_at is null)::int as unseen
        from inbox_items
       where service_id = ${r.serviceId} and recipient_id = ${r.recipientId}
         and archived_at is null and (expires_at is null or expires_at > ${now})
         and (read_at is null or seen_at is null)`.execute(q);
    return { unread: rows[0]?.unread ?? 0, unseen: rows[0]?.unseen ?? 0 };
  }

  /** Appends events after `lastSeq` (all carrying the final counts) and advances the counter. */
  async function append(
    tx: Tx,
    r: RecipientRef,
    lastSeq: number,
    bodies: ((counts: InboxCounts) => InboxEventBody)[],
    now: Date,
  ): Promise<number> {
    if (bodies.length === 0) return lastSeq;
    const counts = await countsIn(tx, r, now);
    const seq = lastSeq + bodies.length;
    await tx
      .insertInto('inbox_events')
      .values(
        bodies.map((make, i) => ({
          service_id: r.serviceId,
          recipient_id: r.recipientId,
          seq: lastSeq + i + 1,
          payload: json(make(counts)),
          created_at: now,
        })),
      )
      .execute();
    await tx
      .updateTable('inbox_cursors')
      .set({ last_seq: seq })
      .where('service_id', '=', r.serviceId)
      .where('recipient_id', '=', r.recipientId)
      .execute();
    return seq;
  }

  /**
   * The given recipients as a set to join (`p.service_id`, `p.recipient_id`), each looked up on its own
   * in the statements below. Not a row-value `in (…)` list: with one service in it the planner took
   * the shared `service_id` as the index condition and tested every item of the service against the
   * whole list, so a batch's cost grew with the service's inbox (auto_explain: 100–250 ms per
   * 250-recipient batch at ~10k items, the largest part of an in-app delivery's write).
   */
  const recipientsIn = (refs: RecipientRef[]) =>
    sql`unnest(${refs.map((r) => r.serviceId)}::uuid[], ${refs.map((r) => r.recipientId)}::text[])
          as p(service_id, recipient_id)`;

  /**
   * Deliveries to distinct recipients without collapse keys, in one transaction and a fixed handful of
   * statements whatever their number; the same rows and events as `deliver` would write one by one.
   */
  async function deliverBatch(ds: InboxDelivery[], now: Date): Promise<Map<string, Delivered>> {
    return db.transaction().execute(async (tx) => {
      const out = new Map<string, Delivered>();
      // Cursor rows locked in one order by every batch, so two batches never wait on each other in a cycle.
      const sorted = [...ds].sort((a, b) => cmpRef(a, b));
      const locked = await tx
        .insertInto('inbox_cursors')
        .values(sorted.map((d) => ({ service_id: d.serviceId, recipient_id: d.recipientId, last_seq: 0 })))
        .onConflict((oc) =>
          oc.columns(['service_id', 'recipient_id']).doUpdateSet({ last_seq: sql`inbox_cursors.last_seq` }),
        )
        .returning(['service_id', 'recipient_id', 'last_seq'])
        .execute();
      const lastSeqOf = new Map(locked.map((r) => [keyOf(r.service_id, r.recipient_id), Number(r.last_seq)]));
      const seqOf = (d: RecipientRef) => lastSeqOf.get(keyOf(d.serviceId, d.recipientId)) ?? 0;
      const existing = await tx
        .selectFrom('inbox_items')
        .select(['id', 'delivery_id'])
        .where(
          'delivery_id',
          'in',
          ds.map((d) => d.deliveryId),
        )
        .execute();
      const existingOf = new Map(existing.map((e) => [e.delivery_id, e.id]));
      const fresh: InboxDelivery[] = [];
      for (const d of ds) {
        const id = existingOf.get(d.deliveryId);
        if (id !== undefined) out.set(d.deliveryId, { itemId: id, lastSeq: seqOf(d), created: false });
        else fresh.push(d);
      }
      if (fresh.length === 0) return out;

      // The ids first (one probe of the expiry index per recipient), then the rows by primary key.
      const { rows: expired } = await sql<{ id: string; service_id: string; recipient_id: string }>`
        delete from inbox_items
         where id = any(array(
                 select x.id from ${recipientsIn(fresh)}
                  cross join lateral (
                        select i.id from inbox_items i
                         where i.service_id = p.service_id and i.recipient_id = p.recipient_id
                           and i.expires_at <= ${now}) x))
        returning id, service_id, recipient_id`.execute(tx);
      const types = await tx
        .selectFrom('notifications')
        .select(['id', 'type'])
        .where(
          'id',
          'in',
          fresh.map((d) => d.notificationId),
        )
        .execute();
      const typeOf = new Map(types.map((t) => [t.id, t.type]));
      const rows = await tx
        .insertInto('inbox_items')
        .values(fresh.map((d) => newItemRow(d, typeOf.get(d.notificationId) ?? '', now)))
        .returningAll()
        .execute();
      const itemOf = new Map(rows.map((r) => [r.delivery_id, toItem(r)]));
      const { rows: countRows } = await sql<{
        service_id: string;
        recipient_id: string;
        unread: number;
        unseen: number;
      }>`
        select p.service_id, p.recipient_id, c.unread, c.unseen
          from ${recipientsIn(fresh)}
         cross join lateral (
               select count(*) filter (where read_at is null)::int as unread,
                      count(*) filter (where seen_at is null)::int as unseen
                 from inbox_items i
                where i.service_id = p.service_id and i.recipient_id = p.recipient_id
                  and archived_at is null and (expires_at is null or expires_at > ${now})
                  and (read_at is null or seen_at is null)) c`.execute(tx);
      const countsOf = new Map(
        countRows.map((c) => [keyOf(c.service_id, c.recipient_id), { unread: c.unread, unseen: c.unseen }]),
      );
      const events: Insertable<InboxEventsTable>[] = [];
      const advanced: { d: InboxDelivery; from: number; to: number }[] = [];
      for (const d of fresh) {
        const key = keyOf(d.serviceId, d.recipientId);
        const counts = countsOf.get(key) ?? { unread: 0, unseen: 0 };
        const item = itemOf.get(d.deliveryId);
        if (!item) throw new Error(`inbox item for delivery ${d.deliveryId} was not written`);
        const bodies: InboxEventBody[] = expired
          .filter((e) => keyOf(e.service_id, e.recipient_id) === key)
          .map((e) => ({ type: 'item.removed', itemId: e.id, reason: 'expired', counts }));
        bodies.push({ type: 'item.created', item, counts });
        const from = seqOf(d);
        bodies.forEach((body, i) =>
          events.push({
            service_id: d.serviceId,
            recipient_id: d.recipientId,
            seq: from + i + 1,
            payload: json(body),
            created_at: now,
          }),
        );
        advanced.push({ d, from, to: from + bodies.length });
        out.set(d.deliveryId, {
          itemId: item.id,
          lastSeq: from + bodies.length,
          created: true,
          events: bodies.map((body, i) => ({ seq: from + i + 1, body })),
        });
      }
      await tx.insertInto('inbox_events').values(events).execute();
      await sql`
        update inbox_cursors c set last_seq = v.seq
          from (values ${sql.join(
            advanced.map((a) => sql`(${a.d.serviceId}::uuid, ${a.d.recipientId}::text, ${a.to}::bigint)`),
          )}) as v(service_id, recipient_id, seq)
         where c.service_id = v.service_id and c.recipient_id = v.recipient_id`.execute(tx);
      // Housekeeping as in `deliver`: old events of the recipients that crossed a multiple of 64.
      const prune = advanced.filter((a) => Math.floor(a.to / 64) > Math.floor(a.from / 64)).map((a) => a.d);
      if (prune.length > 0)
        await sql`
          delete from inbox_events e
           using ${recipientsIn(prune)}
           where e.service_id = p.service_id and e.recipient_id = p.recipient_id
             and e.created_at < ${new Date(now.getTime() - EVENT_RETENTION_MS)}`.execute(tx);
      return out;
    });
  }

  const store: InboxStore = {
    async deliverMany(ds, now) {
      // A batch takes each recipient once and no collapse keys (whose replacements depend on what the
      // batch itself wrote). A recipient's second delivery goes in a second batch, written after the
      // first, its third in a third, and so on: a recipient's items are written in their order, and a
      // backlog with repeats costs a few batches rather than a transaction per repeat. A delivery with
      // a collapse key, a recipient's deliveries after one, and a delivery named twice go one by one
      // after the batches, in their order, with the same result.
      const rounds: InboxDelivery[][] = [];
      const roundOf = new Map<string, number>();
      const alone = new Set<string>();
      const seen = new Set<string>();
      const rest: InboxDelivery[] = [];
      for (const d of ds) {
        const key = keyOf(d.serviceId, d.recipientId);
        if (d.draft.collapseKey !== null || alone.has(key) || seen.has(d.deliveryId)) {
          rest.push(d);
          alone.add(key);
        } else {
          const round = roundOf.get(key) ?? 0;
          roundOf.set(key, round + 1);
          (rounds[round] ??= []).push(d);
        }
        seen.add(d.deliveryId);
      }
      const results = new Map<string, Delivered>();
      for (const round of rounds) for (const [id, r] of await deliverBatch(round, now)) results.set(id, r);
      for (const d of rest) results.set(d.deliveryId, await store.deliver(d, now));
      return ds.map((d) => {
        const r = results.get(d.deliveryId);
        if (!r) throw new Error(`no inbox result for delivery ${d.deliveryId}`);
        return r;
      });
    },

    async deliver(d, now) {
      return db.transaction().execute(async (tx) => {
        const lastSeq = await lockCursor(tx, d);
        const existing = await tx
          .selectFrom('inbox_items')
          .select('id')
          .where('delivery_id', '=', d.deliveryId)
          .executeTakeFirst();
        if (existing) return { itemId: existing.id, lastSeq, created: false };

        const events: ((c: InboxCounts) => InboxEventBody)[] = [];
        const expired = await tx
          .deleteFrom('inbox_items')
          .where('service_id', '=', d.serviceId)
          .where('recipient_id', '=', d.recipientId)
          .where('expires_at', '<=', now)
          .returning('id')
          .execute();
        for (const e of expired)
          events.push((counts) => ({ type: 'item.removed', itemId: e.id, reason: 'expired', counts }));
        if (d.draft.collapseKey !== null) {
          const replaced = await tx
            .deleteFrom('inbox_items')
            .where('service_id', '=', d.serviceId)
            .where('recipient_id', '=', d.recipientId)
            .where('collapse_key', '=', d.draft.collapseKey)
            .where('read_at', 'is', null)
            .returning('id')
            .execute();
          for (const e of replaced)
            events.push((counts) => ({ type: 'item.removed', itemId: e.id, reason: 'replaced', counts }));
        }
        const type = await tx
          .selectFrom('notifications')
          .select('type')
          .where('id', '=', d.notificationId)
          .executeTakeFirst();
        const row = await tx
          .insertInto('inbox_items')
          .values(newItemRow(d, type?.type ?? '', now))
          .returningAll()
          .executeTakeFirstOrThrow();
        const item = toItem(row);
        events.push((counts) => ({ type: 'item.created', item, counts }));
        const seq = await append(tx, d, lastSeq, events, now);
        // Old events are only good for resuming; past the retention a client reloads instead. Pruned
        // every 64 events per recipient, not on each delivery: it is housekeeping, not correctness.
        if (Math.floor(seq / 64) > Math.floor(lastSeq / 64))
          await tx
            .deleteFrom('inbox_events')
            .where('service_id', '=', d.serviceId)
            .where('recipient_id', '=', d.recipientId)
            .where('created_at', '<', new Date(now.getTime() - EVENT_RETENTION_MS))
            .execute();
        return { itemId: item.id, lastSeq: seq, created: true };
      });
    },

    async list(r, f, now) {
      let q = db
        .selectFrom('inbox_items')
        .selectAll()
        .where('service_id', '=', r.serviceId)
        .where('recipient_id', '=', r.recipientId)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
      if (f.status === 'unread') q = q.where('read_at', 'is', null);
      if (f.status === 'read') q = q.where('read_at', 'is not', null);
      if (f.archived === 'exclude') q = q.where('archived_at', 'is', null);
      if (f.archived === 'only') q = q.where('archived_at', 'is not', null);
      if (f.type !== undefined) q = q.where('type', '=', f.type);
      if (f.cursor !== undefined) q = q.where('id', '<', f.cursor);
      const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
      return rows.map(toItem);
    },

    counts: (r, now) => countsIn(db, r, now),

    async update(r, itemId, patch, now) {
      return db.transaction().execute(async (tx) => {
        const lastSeq = await lockCursor(tx, r);
        const row = await tx
          .selectFrom('inbox_items')
          .selectAll()
          .where('service_id', '=', r.serviceId)
          .where('recipient_id', '=', r.recipientId)
          .where('id', '=', itemId)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .executeTakeFirst();
        if (!row) return null;
        const item = applyPatch(toItem(row), patch);
        await tx
          .updateTable('inbox_items')
          .set({ seen_at: item.seenAt, read_at: item.readAt, archived_at: item.archivedAt })
          .where('id', '=', itemId)
          .execute();
        await append(tx, r, lastSeq, [(counts) => ({ type: 'item.updated', item, counts })], now);
        return item;
      });
    },

    async markAll(r, what, now) {
      return db.transaction().execute(async (tx) => {
        const lastSeq = await lockCursor(tx, r);
        const column = what === 'read' ? 'read_at' : 'seen_at';
        let q = tx
          .updateTable('inbox_items')
          .set(what === 'read' ? { read_at: now, seen_at: sql`coalesce(seen_at, ${now})` } : { seen_at: now })
          .where('service_id', '=', r.serviceId)
          .where('recipient_id', '=', r.recipientId)
          .where(column, 'is', null)
          .where('archived_at', 'is', null);
        q = q.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
        const res = await q.executeTakeFirst();
        const changed = Number(res.numUpdatedRows);
        if (changed > 0) {
          const type = what === 'read' ? 'items.read_all' : 'items.seen_all';
          await append(tx, r, lastSeq, [(counts) => ({ type, at: now, counts })], now);
        }
        return changed;
      });
    },

    async eventsSince(r, since, limit) {
      const rows = await db
        .selectFrom('inbox_events')
        .select(['seq', 'payload'])
        .where('service_id', '=', r.serviceId)
        .where('recipient_id', '=', r.recipientId)
        .where('seq', '>', since)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((row) => reviveEvent(Number(row.seq), row.payload));
    },

    async eventsSinceMany(positions, limit) {
      if (positions.length === 0) return [];
      // One statement for every recipient: the positions travel as three arrays, and each one reads
      // its own slice of the primary key (service_id, recipient_id, seq), so it costs what many
      // `eventsSince` would in the database without their round trips.
      const { rows } = await sql<{
        i: string | number;
        seq: string | number;
        payload: Record<string, unknown>;
      }>`
        select p.i, e.seq, e.payload
          from unnest(${positions.map((p) => p.serviceId)}::uuid[],
                      ${positions.map((p) => p.recipientId)}::text[],
                      ${positions.map((p) => p.since)}::bigint[]) with ordinality as p(service_id, recipient_id, since, i)
          cross join lateral (
            select e.seq, e.payload from inbox_events e
             where e.service_id = p.service_id and e.recipient_id = p.recipient_id and e.seq > p.since
             order by e.seq
             limit ${limit}) e
         order by p.i, e.seq`.execute(db);
      const out: InboxEvent[][] = positions.map(() => []);
      for (const row of rows) out[Number(row.i) - 1]?.push(reviveEvent(Number(row.seq), row.payload));
      return out;
    },

    async lastSeq(r) {
      const row = await db
        .selectFrom('inbox_cursors')
        .select('last_seq')
        .where('service_id', '=', r.serviceId)
        .where('recipient_id', '=', r.recipientId)
        .executeTakeFirst();
      return row ? Number(row.last_seq) : 0;
    },
  };
  return store;
}
