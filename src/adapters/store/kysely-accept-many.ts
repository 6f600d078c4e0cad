/**
 * Many notifications made durable in one transaction: one `unnest` insert for all of them that also
 * wakes the planner once and makes the new recipients they name by id alone, a second statement
 * only when inline recipients carry fields to write, and afterwards one lookup of the idempotency
 * keys that were already taken. A notification that is not written (a replay, a conflict) writes its
 * inline recipient neither. Group commit on the single endpoint and the batch endpoint both write
 * through here.
 *
 * Idempotency stays exact row by row. Within the set, the first row with a given (service, key) is
 * the one inserted; a later row with the same key answers as a replay of it. Against rows already
 * stored, `on conflict do nothing` waits for a concurrent writer of the same key to finish, and the
 * lookup that follows (a new statement, so a new snapshot) sees the row that won.
 */
import { sql, type Kysely } from 'kysely';
import type { NewNotification } from '../../domain/types.ts';
import type { AcceptResult } from '../../ports/store.ts';
import type { DB, Db } from './db.ts';
import { WAKE_PLAN } from '../../ports/wake.ts';
import { WAKE_CHANNEL } from './connect.ts';
import { upsertRecipients } from './kysely-upsert-recipients.ts';

const PRIORITY = { critical: 0, high: 1, normal: 2, low: 3 } as const;

const hasFields = (fields: object) => Object.values(fields).some((v) => v !== undefined);

/** JSON text for a jsonb parameter. */
const json = (value: unknown) => JSON.stringify(value);

/**
 * A PostgreSQL array literal of text (or uuid, smallint) values, for a `::text[]` parameter. What pg
 * would write for an array, without a type check and two regular expressions per element: a value
 * is quoted, with `\` and `"` escaped, only where it holds either.
 */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else if (v.includes('\\') || v.includes('"')) out += `"${v.replace(/[\\"]/g, '\\$&')}"`;
    else out += `"${v}"`;
  }
  return `${out}}`;
}

const keyOf = (serviceId: string, key: string) => JSON.stringify([serviceId, key]);

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Rows with an idempotency key in (service, key) order; rows without one, which wait on nothing, after. */
const byKey = (a: NewNotification, b: NewNotification) =>
  a.idempotencyKey === null || b.idempotencyKey === null
    ? Number(a.idempotencyKey === null) - Number(b.idempotencyKey === null)
    : cmp(a.serviceId, b.serviceId) || cmp(a.idempotencyKey, b.idempotencyKey);

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
  // Written in key order whatever the request's: a concurrent writer of the same keys is waited for
  // key by key (`on conflict do nothing`), and two that took them in opposite orders would deadlock.
  toInsert.sort(byKey);
  // Rows of the set left out as later copies of a key.
  const replays = toInsert.length < ns.length;
  const upserts = (taken: Taken) =>
    toInsert.flatMap((n) =>
      n.inlineRecipient && taken.inserted(n)
        ? [{ serviceId: n.serviceId, id: n.recipientId, fields: n.inlineRecipient }]
        : [],
    );
  // Recipients named only by id are made, if new, by the insert statement itself; then one
  // statement is the whole transaction. Recipients with fields to write need a second statement.
  const taken = toInsert.some((n) => n.inlineRecipient && hasFields(n.inlineRecipient))
    ? await db.transaction().execute(async (tx) => {
        const made = await whichInserted(
          tx,
          toInsert,
          await insertNotifications(tx, toInsert, false),
          replays,
        );
        await upsertRecipients(tx, upserts(made));
        return made;
      })
    : await whichInserted(db, toInsert, await insertNotifications(db, toInsert, true), replays);
  return ns.map((n): AcceptResult => {
    if (taken.inserted(n)) return { created: true, id: n.id };
    const k = keyOf(n.serviceId, n.idempotencyKey ?? '');
    const leader = leaders.get(k);
    if (leader && leader !== n && taken.inserted(leader))
      return { created: false, id: leader.id, requestHash: leader.requestHash };
    const found = taken.existing.get(k);
    if (!found) throw new Error(`notification ${n.id} was neither inserted nor found by its idempotency key`);
    return { created: false, ...found };
  });
}

interface Taken {
  inserted(n: NewNotification): boolean;
  /** The rows that held a key first, by `keyOf`. */
  existing: ReadonlyMap<string, { id: string; requestHash: string }>;
}

/**
 * Which rows went in, from how many did: all of them (the usual case, with nothing more to read),
 * or else the keyed rows are looked up by key. A key's row is ours when it has our id; otherwise its
 * first writer's row is committed by now (the insert waited for any writer of the key), and a new
 * statement sees it. A row without a key always goes in.
 */
async function whichInserted(
  executor: Kysely<DB>,
  toInsert: readonly NewNotification[],
  count: number,
  replays: boolean,
): Promise<Taken> {
  const existing = new Map<string, { id: string; requestHash: string }>();
  if (count === toInsert.length) {
    if (!replays) return { inserted: () => true, existing };
    // A later row of the set with a leader's key was not written: it replays its leader.
    const written = new Set(toInsert);
    return { inserted: (n) => written.has(n), existing };
  }
  const keyed = toInsert.filter((n) => n.idempotencyKey !== null);
  const ours = new Set(keyed.map((n) => n.id));
  const inserted = new Set<string>();
  const found = await sql<{ id: string; service_id: string; idempotency_key: string; request_hash: string }>`
    select n.id, n.service_id, n.idempotency_key, n.request_hash
      from notifications n
      join unnest(${arrayLiteral(keyed.map((n) => n.serviceId))}::uuid[],
                  ${arrayLiteral(keyed.map((n) => n.idempotencyKey))}::text[]) as k(service_id, idempotency_key)
        on n.service_id = k.service_id and n.idempotency_key = k.idempotency_key`.execute(executor);
  for (const r of found.rows) {
    if (ours.has(r.id)) inserted.add(r.id);
    else existing.set(keyOf(r.service_id, r.idempotency_key), { id: r.id, requestHash: r.request_hash });
  }
  return { inserted: (n) => n.idempotencyKey === null || inserted.has(n.id), existing };
}

/**
 * One statement: the rows whose idempotency key is free go in, and the planner is woken once if any
 * did (the `wake` CTE runs because the final select reads it). How many went in comes back.
 */
async function insertNotifications(
  executor: Kysely<DB>,
  ns: readonly NewNotification[],
  withRecipients: boolean,
): Promise<number> {
  // Inline recipients (with no fields, so `do nothing` is all an existing one needs) of the
  // notifications that go in; the others' are not written.
  const named = withRecipients ? ns.filter((n) => n.inlineRecipient) : [];
  // When every row that names a recipient names it inline (a broadcast names none), the rows that
  // went in say which recipients to make: no second list to join them with.
  const allInline = named.length > 0 && named.length === ns.filter((n) => !n.audience).length;
  const recipients = allInline
    ? sql`select distinct ins.service_id, ins.recipient_id from ins where ins.recipient_id is not null`
    : sql`select distinct r.service_id, r.id
        from unnest(
          ${arrayLiteral(named.map((n) => n.id))}::uuid[],
          ${arrayLiteral(named.map((n) => n.serviceId))}::uuid[],
          ${arrayLiteral(named.map((n) => n.recipientId))}::text[]) as r(notification_id, service_id, id)
        join ins on ins.id = r.notification_id`;
  const { rows } = await sql<{ n: string }>`
    with ins as (
      insert into notifications
        (id, service_id, type, recipient_id, audience, channels, data, content, priority,
         idempotency_key, request_hash, step_overrides)
      select u.id, u.service_id, u.type, u.recipient_id, nullif(j.audience -> i, 'null'), j.channels -> i,
             j.data -> i, j.content -> i, u.priority, u.idempotency_key, u.request_hash,
             nullif(j.step_overrides -> i, 'null')
        from unnest(
          ${arrayLiteral(ns.map((n) => n.id))}::uuid[],
          ${arrayLiteral(ns.map((n) => n.serviceId))}::uuid[],
          ${arrayLiteral(ns.map((n) => n.type))}::text[],
          ${arrayLiteral(ns.map((n) => (n.audience ? null : n.recipientId)))}::text[],
          ${arrayLiteral(ns.map((n) => PRIORITY[n.priority]))}::smallint[],
          ${arrayLiteral(ns.map((n) => n.idempotencyKey))}::text[],
          ${arrayLiteral(ns.map((n) => n.requestHash))}::text[])
          with ordinality as u(id, service_id, type, recipient_id, priority, idempotency_key, request_hash, ord),
        lateral (select (u.ord - 1)::int as i) o,
        -- The JSON columns travel as one JSON array each (one native stringify, no per-element
        -- escaping into an array literal) and are picked by position.
        (select ${json(ns.map((n) => n.audience ?? null))}::jsonb as audience,
                ${json(ns.map((n) => n.channels))}::jsonb as channels,
                ${json(ns.map((n) => n.data))}::jsonb as data,
                ${json(ns.map((n) => n.content))}::jsonb as content,
                ${json(ns.map((n) => n.stepOverrides ?? null))}::jsonb as step_overrides) j
      on conflict (service_id, idempotency_key) do nothing
      returning id, service_id, recipient_id),
    rec as (
      insert into recipients (service_id, id)
      ${recipients}
       order by 1, 2
      on conflict (service_id, id) do nothing),
    wake as (select pg_notify(${WAKE_CHANNEL}, ${WAKE_PLAN}) from (select 1 from ins limit 1) one)
    select count(*) as n from ins where (select count(*) from wake) >= 0`.execute(executor);
  return Number(rows[0]?.n ?? 0);
}
