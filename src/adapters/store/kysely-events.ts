/**
 * Events: stored on arrival (the caller's id is the idempotency key), then claimed by the events
 * worker with a lease and `FOR UPDATE SKIP LOCKED`, expanded, and finished in one transaction that
 * also writes the notifications. Those carry the idempotency key `event:<event id>:<index>`, so a
 * re-run after a crash (or after a lease was lost) inserts nothing twice.
 */
import { sql } from 'kysely';
import { PRIORITY_RANK } from '../../domain/types.ts';
import type {
  EventOutcomeEntry,
  EventResult,
  EventStatus,
  EventStore,
  IncomingEvent,
} from '../../ports/events.ts';
import { WAKE_EVENTS, WAKE_PLAN } from '../../ports/wake.ts';
import { WAKE_CHANNEL } from './connect.ts';
import type { Db } from './db.ts';
import { prepared } from './prepared.ts';

/** The events wake-up on the wake channel, for the worker's listener. */
export const EVENTS_WAKE = WAKE_EVENTS;

export const eventNotificationKey = (eventId: string, index: number) => `event:${eventId}:${index}`;

class Conflicts extends Error {
  readonly ids: string[];
  constructor(ids: string[]) {
    super('conflicting event ids');
    this.ids = ids;
  }
}

interface ClaimRow {
  service_id: string;
  id: string;
  name: string;
  payload: Record<string, unknown>;
  occurred_at: Date | null;
}

export function kyselyEventStore(db: Db): EventStore {
  return {
    async accept(serviceId, events, options) {
      const rows = events.map((e) => ({
        id: e.id,
        name: e.name,
        payload: e.payload,
        occurred_at: e.occurredAt?.toISOString() ?? null,
        request_hash: e.requestHash,
        source: e.source ?? null,
      }));
      const expanded = prepareExpanded(serviceId, events);
      if (options?.partial) {
        // One statement, committed on its own: a source's batch costs one round trip.
        const r = await insertEvents(db, serviceId, rows, expanded);
        return r.conflicts.length > 0
          ? { ok: false as const, conflicts: r.conflicts }
          : { ok: true as const, replayed: r.replayed };
      }
      try {
        return await db.transaction().execute(async (tx) => {
          const r = await insertEvents(tx, serviceId, rows, expanded);
          // Thrown to roll back: a refused batch writes nothing.
          if (r.conflicts.length > 0) throw new Conflicts(r.conflicts);
          return { ok: true as const, replayed: r.replayed };
        });
      } catch (err) {
        if (err instanceof Conflicts) return { ok: false as const, conflicts: err.ids };
        throw err;
      }
    },

    async claim(owner, limit, leaseMs) {
      // The rows are found by their tuple ids: joined on the key instead, the planner hashes the
      // whole table (a sequential scan) until it is some hundred thousand rows long. A row whose
      // locked version is newer than this statement's snapshot is left out; the next claim takes it.
      const { rows } = await sql<ClaimRow>`
        update events e
           set status = 'processing', lease_owner = ${owner},
               lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
         where e.ctid = any(array(
                 select ctid from events
                  where status in ('pending', 'processing')
                    and (status = 'pending' or lease_expires_at < now())
                  order by received_at limit ${limit} for update skip locked))
        returning e.service_id, e.id, e.name, e.payload, e.occurred_at`.execute(db);
      return rows.map((r) => ({
        serviceId: r.service_id,
        id: r.id,
        name: r.name,
        payload: r.payload,
        occurredAt: r.occurred_at,
      }));
    },

    async complete(owner, event, status, notifications, skipped) {
      const done = await completeMany(db, owner, [{ event, status, notifications, skipped }]);
      return done.has(event.id);
    },

    completeMany: (owner, results) => completeMany(db, owner, results),

    async release(owner, events) {
      if (events.length === 0) return;
      const keys = JSON.stringify(events.map((e) => ({ s: e.serviceId, i: e.id })));
      await sql`
        update events e set status = 'pending', lease_owner = null, lease_expires_at = null
          from jsonb_to_recordset(${keys}::jsonb) as k(s uuid, i text)
         where e.service_id = k.s and e.id = k.i and e.lease_owner = ${owner} and e.status = 'processing'`.execute(
        db,
      );
    },

    async view(serviceId, id) {
      const { rows } = await sql<{
        id: string;
        name: string;
        payload: Record<string, unknown>;
        occurred_at: Date | null;
        status: EventStatus;
        received_at: Date;
        processed_at: Date | null;
        outcome: EventOutcomeEntry[] | null;
        error: string | null;
        source: string | null;
      }>`
        select id, name, payload, occurred_at, status, received_at, processed_at, outcome, error, source
          from events where service_id = ${serviceId} and id = ${id}`.execute(db);
      const r = rows[0];
      if (!r) return null;
      return {
        id: r.id,
        name: r.name,
        payload: r.payload,
        occurredAt: r.occurred_at,
        // A lease is the worker's business: to the caller the event is still pending.
        status: r.status === 'processing' ? 'pending' : r.status,
        receivedAt: r.received_at,
        processedAt: r.processed_at,
        outcome: r.outcome ? await namedOutcome(db, serviceId, r.id, r.outcome) : null,
        error: r.error,
        source: r.source,
      };
    },
  };
}

/**
 * An outcome with each created notification named: the notification holding the key
 * `event:<id>:<index>`, found when the event is read (the outcome is stored without ids). So a key
 * a client's notification held already, or another writer took while the event was stored, names
 * that notification, with nothing to correct after the event's commit. An id stored in the outcome
 * (events finished before the ids were read this way) stands when no notification holds the key.
 */
async function namedOutcome(
  db: Db,
  serviceId: string,
  eventId: string,
  outcome: EventOutcomeEntry[],
): Promise<EventOutcomeEntry[]> {
  const created = outcome.filter((o) => o.status === 'created');
  if (created.length === 0) return outcome;
  const keys = created.map((o) => eventNotificationKey(eventId, o.index));
  // One descent of the unique index (service_id, idempotency_key) per key, to the first key at or
  // after it. Written as an equality lookup, the planner took the service's other index on a young
  // table's statistics and read every notification of the service for each key.
  const { rows } = await sql<{ key: string; id: string }>`
    select k.key, t.id
      from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) as k(key)
           cross join lateral (
             select t.id, t.service_id, t.idempotency_key from notifications t
              where (t.service_id, t.idempotency_key) >= (${serviceId}::uuid, k.key)
              order by t.service_id, t.idempotency_key limit 1) t
     where t.service_id = ${serviceId}::uuid and t.idempotency_key = k.key`.execute(db);
  const ids = new Map(rows.map((r) => [r.key, r.id]));
  return outcome.map((o) => {
    if (o.status !== 'created') return o;
    const notificationId = ids.get(eventNotificationKey(eventId, o.index)) ?? o.notificationId;
    const { notificationId: _stored, ...entry } = o;
    return notificationId ? { ...entry, notificationId } : entry;
  });
}

interface EventRow {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  occurred_at: string | null;
  request_hash: string;
  source: string | null;
}

/**
 * The notifications and outcomes of the events that were expanded as they arrived, ready to be
 * written with them (ids chosen here, so each outcome names its notifications); null when none was.
 */
function prepareExpanded(serviceId: string, events: IncomingEvent[]): PreparedBatch | null {
  const results: EventResult[] = [];
  for (const e of events) {
    if (!e.expanded) continue;
    results.push({
      event: { serviceId, id: e.id, name: e.name, payload: e.payload, occurredAt: e.occurredAt },
      ...e.expanded,
    });
  }
  return results.length > 0 ? prepare(results) : null;
}

/**
 * Inserts events in one statement, and only when none of their ids is stored with another body: the
 * ids stored before are read with their hashes in the same statement, and the insert is guarded by
 * their all matching, so a conflict writes nothing. An id another transaction inserted while this
 * one ran is neither inserted nor seen; its hash is read after (then committed) and told apart the
 * same way, so with `partial` the rest stays stored beside such a conflict (the caller decides).
 *
 * Events expanded on arrival (`expanded`) go in finished, with their outcome, and their notifications
 * are inserted by the same statement (keys `event:<id>:<index>`, only for events this statement
 * inserted: a replay or a raced id adds none), the planner woken; the others go in `pending` and the
 * events lane is woken. A key that exists already (a client sent a notification with such a key, or
 * another writer took it meanwhile) inserts nothing; the outcome names whichever notification holds
 * the key when the event is read (`namedOutcome`).
 */
async function insertEvents(
  db: Db,
  serviceId: string,
  rows: EventRow[],
  expanded: PreparedBatch | null,
): Promise<{ replayed: Set<string>; conflicts: string[] }> {
  const done = new Map(expanded?.finished.map((f) => [f.i, f]));
  const withOutcome = rows.map((r) => {
    const f = done.get(r.id);
    return f ? { ...r, status: f.status, outcome: f.outcome } : r;
  });
  // A notification whose data is its event's payload (a rule without a data mapping) is sent without
  // it and takes the payload the statement inserts: each payload crosses, and is parsed, once.
  const payloads = new Map(rows.map((r) => [r.id, r.payload]));
  const notifications = (expanded?.rows ?? []).map((n) => ({
    id: n.id,
    event_id: n.event_id,
    type: n.type,
    audience: n.audience,
    channels: n.channels,
    data: n.data === payloads.get(n.event_id) ? null : n.data,
    priority: n.priority,
    key: n.key,
  }));
  const { rows: out } = await sql<{ k: 'same' | 'clash' | 'raced' | 'wake'; id: string | null }>`
    ${prepared('herald_events_accept')}with x as materialized (
      select * from jsonb_to_recordset(${JSON.stringify(withOutcome)}::jsonb)
               as x(id text, name text, payload jsonb, occurred_at timestamptz, request_hash text,
                    source text, status text, outcome jsonb)),
    n as materialized (
      select n.*
        from jsonb_to_recordset(${JSON.stringify(notifications)}::jsonb)
             as n(id uuid, event_id text, type text, audience jsonb, channels jsonb, data jsonb,
                  priority smallint, key text)),
    -- One primary-key lookup per event, whatever the statistics say.
    seen as materialized (
      select e.id, e.request_hash = x.request_hash as same
        from x cross join lateral (
               select id, request_hash from events
                where service_id = ${serviceId} and id = x.id limit 1) e),
    ins as (
      insert into events (service_id, id, name, payload, occurred_at, request_hash, source, status,
                          outcome, processed_at)
      select ${serviceId}, x.id, x.name, x.payload, x.occurred_at, x.request_hash, x.source,
             coalesce(x.status, 'pending'), x.outcome,
             case when x.status is null then null else now() end
        from x
       where not exists (select 1 from seen where not seen.same)
      on conflict (service_id, id) do nothing
      returning id, status, payload),
    made as (
      insert into notifications
             (id, service_id, type, recipient_id, audience, channels, data, content, priority,
              idempotency_key, request_hash)
      select n.id, ${serviceId}, n.type, null, n.audience, n.channels, coalesce(n.data, ins.payload),
             '{}'::jsonb, n.priority, n.key, n.key
        from n join ins on ins.id = n.event_id and ins.status <> 'pending'
      on conflict (service_id, idempotency_key) do nothing
      returning 1),
    wake as (
      select pg_notify(${WAKE_CHANNEL}, ${EVENTS_WAKE})
        from (select 1 from ins where status = 'pending' limit 1) w
      union all
      select pg_notify(${WAKE_CHANNEL}, ${WAKE_PLAN}) from (select 1 from made limit 1) w)
    -- Only what the caller must act on comes back: ids stored before and ids another writer
    -- inserted meanwhile (usually nothing).
    select case when same then 'same' else 'clash' end as k, id from seen
    union all
    select 'raced', x.id from x
     where (select not exists (select 1 from seen where not seen.same))
       and not exists (select 1 from seen where seen.id = x.id)
       -- A hashed subplan: written as not exists, the planner (expecting one row) compared each id with
       -- every inserted one, a batch's size squared.
       and x.id not in (select id from ins)
    union all select 'wake', null from wake`.execute(db);
  const replayed = new Set<string>();
  const raced = new Set<string>();
  const conflicts: string[] = [];
  for (const r of out) {
    if (r.k === 'same') replayed.add(r.id as string);
    else if (r.k === 'clash') conflicts.push(r.id as string);
    else if (r.k === 'raced') raced.add(r.id as string);
  }
  if (conflicts.length > 0) return { replayed: new Set(), conflicts };
  if (raced.size > 0) {
    const { rows: stored } = await sql<{ id: string; request_hash: string }>`
      select id, request_hash from events
       where service_id = ${serviceId}
         and id in (select jsonb_array_elements_text(${JSON.stringify([...raced])}::jsonb))`.execute(db);
    const hashes = new Map(stored.map((r) => [r.id, r.request_hash]));
    for (const r of rows) {
      if (!raced.has(r.id)) continue;
      if (hashes.get(r.id) === r.request_hash) replayed.add(r.id);
      else conflicts.push(r.id);
    }
  }
  return { replayed, conflicts };
}

/**
 * Finishes a batch of events in one statement: the events `owner` still holds are locked (in key
 * order, so two workers never deadlock), finished with their outcome, and their notifications
 * inserted (keys `event:<id>:<index>`), the planner woken once. A worker that lost a lease writes
 * nothing for that event. A key that exists already inserts nothing: the outcome names whichever
 * notification holds it when the event is read (`namedOutcome`), so a re-run after a crash, or a
 * key a client took, needs nothing more.
 */
async function completeMany(db: Db, owner: string, results: EventResult[]): Promise<Set<string>> {
  if (results.length === 0) return new Set();
  const batch = prepare(results);
  const { rows: out } = await sql<{ k: 'held' | 'wake'; s: string | null; v: string | null }>`
    with f as materialized (
      select * from jsonb_to_recordset(${JSON.stringify(batch.finished)}::jsonb)
               as f(s uuid, i text, status text, outcome jsonb)),
    x as materialized (
      select * from jsonb_to_recordset(${JSON.stringify(batch.rows)}::jsonb)
               as x(id uuid, service_id uuid, event_id text, type text, audience jsonb, channels jsonb,
                    data jsonb, priority smallint, key text)),
    -- One primary-key lookup per event, locked in key order. Joined instead, the planner trusts
    -- statistics older than the backlog and may read every open event once per finished one.
    held as materialized (
      select e.service_id, e.id
        from (select s, i from f order by s, i) k
             cross join lateral (
               select service_id, id from events
                where service_id = k.s and id = k.i
                  and status = 'processing' and lease_owner = ${owner}
                  for update) e),
    done as (
      update events e set status = f.status, outcome = f.outcome, processed_at = now(),
             lease_owner = null, lease_expires_at = null
        from held join f on f.s = held.service_id and f.i = held.id
       where e.service_id = held.service_id and e.id = held.id
      returning e.id),
    ins as (
      insert into notifications
             (id, service_id, type, recipient_id, audience, channels, data, content, priority,
              idempotency_key, request_hash)
      select x.id, x.service_id, x.type, null, x.audience, x.channels, x.data, '{}'::jsonb,
             x.priority, x.key, x.key
        from x join held h on h.service_id = x.service_id and h.id = x.event_id
      on conflict (service_id, idempotency_key) do nothing
      returning 1),
    wake as (select pg_notify(${WAKE_CHANNEL}, ${WAKE_PLAN}) from (select 1 from ins limit 1) w)
    select 'held' as k, service_id::text as s, id as v from held
    union all select 'wake', null, null from wake`.execute(db);
  const held = new Set<string>();
  for (const r of out) if (r.k === 'held') held.add(ref(r.s as string, r.v as string));
  return new Set(results.filter((r) => held.has(ref(r.event.serviceId, r.event.id))).map((r) => r.event.id));
}

const ref = (serviceId: string, key: string) => `${serviceId}\u0000${key}`;

interface NotificationRow {
  id: string;
  service_id: string;
  event_id: string;
  type: string;
  audience: unknown;
  channels: string[];
  data: Record<string, unknown>;
  priority: number;
  key: string;
}

interface PreparedBatch {
  rows: NotificationRow[];
  finished: { s: string; i: string; status: string; outcome: EventOutcomeEntry[] }[];
}

/** The notification rows and the finished events of a batch; outcomes name no ids (see namedOutcome). */
function prepare(results: EventResult[]): PreparedBatch {
  const rows = results.flatMap((r) =>
    r.notifications.map((n) => ({
      id: n.id,
      service_id: r.event.serviceId,
      event_id: r.event.id,
      type: n.type,
      audience: n.audience,
      channels: n.channels,
      data: n.data,
      priority: PRIORITY_RANK[n.priority],
      key: eventNotificationKey(r.event.id, n.index),
    })),
  );
  const finished = results.map((r) => {
    const created: EventOutcomeEntry[] = r.notifications.map((n) => ({
      index: n.index,
      type: n.type,
      status: 'created',
    }));
    return {
      s: r.event.serviceId,
      i: r.event.id,
      status: r.status,
      outcome: [...created, ...r.skipped].sort((a, b) => a.index - b.index),
    };
  });
  return { rows, finished };
}
