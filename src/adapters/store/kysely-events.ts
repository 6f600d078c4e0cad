/**
 * Events: stored on arrival (the caller's id is the idempotency key), then claimed by the events
 * worker with a lease and `FOR UPDATE SKIP LOCKED`, expanded, and finished in one transaction that
 * also writes the notifications. Those carry the idempotency key `event:<event id>:<index>`, so a
 * re-run after a crash (or after a lease was lost) inserts nothing twice.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { PRIORITY_RANK } from '../../domain/types.ts';
import type { EventOutcomeEntry, EventResult, EventStatus, EventStore } from '../../ports/events.ts';
import { WAKE_EVENTS, WAKE_PLAN } from '../../ports/wake.ts';
import { WAKE_CHANNEL } from './connect.ts';
import type { Db } from './db.ts';

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
    async accept(serviceId, events) {
      const rows = events.map((e) => ({
        id: e.id,
        name: e.name,
        payload: e.payload,
        occurred_at: e.occurredAt?.toISOString() ?? null,
        request_hash: e.requestHash,
        source: e.source ?? null,
      }));
      try {
        return await db.transaction().execute(async (tx) => {
          const { rows: inserted } = await sql<{ id: string }>`
            insert into events (service_id, id, name, payload, occurred_at, request_hash, source)
            select ${serviceId}, x.id, x.name, x.payload, x.occurred_at, x.request_hash, x.source
              from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
                   as x(id text, name text, payload jsonb, occurred_at timestamptz, request_hash text,
                        source text)
            on conflict (service_id, id) do nothing
            returning id`.execute(tx);
          const fresh = new Set(inserted.map((r) => r.id));
          const seen = rows.filter((r) => !fresh.has(r.id));
          const replayed = new Set<string>();
          if (seen.length > 0) {
            const { rows: stored } = await sql<{ id: string; request_hash: string }>`
              select id, request_hash from events
               where service_id = ${serviceId}
                 and id in (select jsonb_array_elements_text(${JSON.stringify(seen.map((r) => r.id))}::jsonb))`.execute(
              tx,
            );
            const hashes = new Map(stored.map((r) => [r.id, r.request_hash]));
            const conflicts = seen.filter((r) => hashes.get(r.id) !== r.request_hash).map((r) => r.id);
            // Thrown to roll back: a refused batch writes nothing.
            if (conflicts.length > 0) throw new Conflicts(conflicts);
            for (const r of seen) replayed.add(r.id);
          }
          if (fresh.size > 0) await sql`select pg_notify(${WAKE_CHANNEL}, ${EVENTS_WAKE})`.execute(tx);
          return { ok: true as const, replayed };
        });
      } catch (err) {
        if (err instanceof Conflicts) return { ok: false as const, conflicts: err.ids };
        throw err;
      }
    },

    async claim(owner, limit, leaseMs) {
      const { rows } = await sql<ClaimRow>`
        update events e
           set status = 'processing', lease_owner = ${owner},
               lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
          from (select service_id, id from events
                 where status in ('pending', 'processing')
                   and (status = 'pending' or lease_expires_at < now())
                 order by received_at limit ${limit} for update skip locked) c
         where e.service_id = c.service_id and e.id = c.id
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
        outcome: r.outcome,
        error: r.error,
        source: r.source,
      };
    },
  };
}

/**
 * Finishes a batch of events in one transaction. The events are locked first, in key order, and only
 * those `owner` still holds go on: a worker that lost a lease writes nothing for that event. Then all
 * their notifications in one insert (keys `event:<id>:<index>`, so rows an interrupted earlier run
 * committed are kept, not doubled), their ids read back in one select, every event finished in one
 * update, and the planner woken once.
 */
async function completeMany(db: Db, owner: string, results: EventResult[]): Promise<Set<string>> {
  if (results.length === 0) return new Set();
  const ref = (serviceId: string, id: string) => `${serviceId}\u0000${id}`;
  return db.transaction().execute(async (tx) => {
    const keys = JSON.stringify(results.map((r) => ({ s: r.event.serviceId, i: r.event.id })));
    const { rows: held } = await sql<{ service_id: string; id: string }>`
      select e.service_id, e.id from events e
        join jsonb_to_recordset(${keys}::jsonb) as k(s uuid, i text) on e.service_id = k.s and e.id = k.i
       where e.status = 'processing' and e.lease_owner = ${owner}
       order by e.service_id, e.id
         for update of e`.execute(tx);
    const holds = new Set(held.map((r) => ref(r.service_id, r.id)));
    const mine = results.filter((r) => holds.has(ref(r.event.serviceId, r.event.id)));
    if (mine.length === 0) return new Set();

    const rows = mine.flatMap((r) =>
      r.notifications.map((n) => ({
        id: uuidv7(),
        service_id: r.event.serviceId,
        type: n.type,
        audience: n.audience,
        channels: n.channels,
        data: n.data,
        priority: PRIORITY_RANK[n.priority],
        key: eventNotificationKey(r.event.id, n.index),
      })),
    );
    const byKey = new Map<string, string>();
    if (rows.length > 0) {
      const json = JSON.stringify(rows);
      await sql`
        insert into notifications
               (id, service_id, type, recipient_id, audience, channels, data, content, priority,
                idempotency_key, request_hash)
        select x.id, x.service_id, x.type, null, x.audience, x.channels, x.data, '{}'::jsonb,
               x.priority, x.key, x.key
          from jsonb_to_recordset(${json}::jsonb)
               as x(id uuid, service_id uuid, type text, audience jsonb, channels jsonb, data jsonb,
                    priority smallint, key text)
        on conflict (service_id, idempotency_key) do nothing`.execute(tx);
      // Ids of this run's rows and of any an earlier, interrupted run left.
      const { rows: ids } = await sql<{ service_id: string; id: string; idempotency_key: string }>`
        select n.service_id, n.id, n.idempotency_key from notifications n
          join jsonb_to_recordset(${json}::jsonb) as x(service_id uuid, key text)
            on n.service_id = x.service_id and n.idempotency_key = x.key`.execute(tx);
      for (const r of ids) byKey.set(ref(r.service_id, r.idempotency_key), r.id);
      await sql`select pg_notify(${WAKE_CHANNEL}, ${WAKE_PLAN})`.execute(tx);
    }

    const finished = mine.map((r) => {
      const created: EventOutcomeEntry[] = r.notifications.map((n) => {
        const notificationId = byKey.get(ref(r.event.serviceId, eventNotificationKey(r.event.id, n.index)));
        return {
          index: n.index,
          type: n.type,
          status: 'created',
          ...(notificationId ? { notificationId } : {}),
        };
      });
      const outcome = [...created, ...r.skipped].sort((a, b) => a.index - b.index);
      return { s: r.event.serviceId, i: r.event.id, status: r.status, outcome };
    });
    await sql`
      update events e set status = f.status, outcome = f.outcome, processed_at = now(),
             lease_owner = null, lease_expires_at = null
        from jsonb_to_recordset(${JSON.stringify(finished)}::jsonb)
             as f(s uuid, i text, status text, outcome jsonb)
       where e.service_id = f.s and e.id = f.i`.execute(tx);
    return new Set(mine.map((r) => r.event.id));
  });
}
