/**
 * The inbox bus over PostgreSQL LISTEN/NOTIFY (and PGlite's, in embedded mode): nothing to run beside
 * the database. Its own channel, so inbox traffic never wakes the delivery lanes on `herald_wake`.
 */
import { sql } from 'kysely';
import type { Database } from '../store/connect.ts';
import type { Heartbeat } from '../store/pg-listen.ts';
import { carriedEvent, type InboxEvent } from '../../domain/inbox.ts';
import type { InboxAnnouncement, InboxBus, RecipientRef } from '../../ports/inbox.ts';

export const INBOX_CHANNEL = 'herald_inbox';

/**
 * The largest message a publisher here sends (Redis's; PostgreSQL's NOTIFY stops below 8000 bytes).
 * A longer one is not ours and is not parsed.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** The most events one recipient's announcement carries; a write of more leaves them to be read. */
export const MAX_CARRIED_EVENTS = 64;

/** `[serviceId, recipientId]` as JSON: recipient ids are free text, so no separator is safe. */
export const encodeRef = (r: RecipientRef): string => JSON.stringify([r.serviceId, r.recipientId]);

/** A recipient, `[s, r]`, or a recipient with the events written for it, `[s, r, [[seq, body], …]]`. */
type Entry = [string, string] | [string, string, unknown];
const isEntry = (v: unknown): v is Entry =>
  Array.isArray(v) &&
  (v.length === 2 || v.length === 3) &&
  typeof v[0] === 'string' &&
  typeof v[1] === 'string';

/**
 * The carried events, when there are at most `MAX_CARRIED_EVENTS`, each shaped exactly as Herald
 * writes it (`carriedEvent`), numbered one after the other; else none. Anyone who can publish on the
 * transport can send a message, and these go to sockets without a read.
 */
function eventsOf(v: unknown): InboxEvent[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_CARRIED_EVENTS) return undefined;
  const out: InboxEvent[] = [];
  for (const e of v as unknown[]) {
    if (!Array.isArray(e) || e.length !== 2) return undefined;
    const event = carriedEvent(e[0], e[1]);
    const prev = out.at(-1);
    if (!event || (prev && event.seq !== prev.seq + 1)) return undefined;
    out.push(event);
  }
  return out;
}

const announcementOf = (e: Entry): InboxAnnouncement => {
  const events = e.length === 3 ? eventsOf(e[2]) : undefined;
  return { serviceId: e[0], recipientId: e[1], ...(events ? { events } : {}) };
};

/**
 * One recipient (`[s, r]`) or many (`[[s, r], …]`), each perhaps with its events (`[s, r, events]`);
 * anything else is not ours and names nobody. Events that do not read well are dropped, not the
 * recipient: the hub then reads them.
 */
export function decodeRefs(payload: string): InboxAnnouncement[] {
  // Characters never outnumber bytes: a longer string is surely past the limit.
  if (payload.length > MAX_MESSAGE_BYTES) return [];
  try {
    const v: unknown = JSON.parse(payload);
    if (isEntry(v)) return [announcementOf(v)];
    if (Array.isArray(v) && v.every(isEntry)) return v.map(announcementOf);
  } catch {
    /* not ours */
  }
  return [];
}

/** An announcement with its events when they fit in `maxBytes`, else the recipient alone. */
function encodeAnnouncement(a: InboxAnnouncement, maxBytes: number): string {
  if (!a.events || a.events.length === 0 || a.events.length > MAX_CARRIED_EVENTS) return encodeRef(a);
  const part = JSON.stringify([a.serviceId, a.recipientId, a.events.map((e) => [e.seq, e.body])]);
  return Buffer.byteLength(part) + 2 <= maxBytes ? part : encodeRef(a);
}

/**
 * Many recipients as few payloads as fit under `maxBytes` (PostgreSQL refuses NOTIFY payloads of 8000
 * bytes or more): one message per batch of deliveries instead of one per item. A recipient's events
 * go along when they fit in one message; larger ones are read by the hubs from the event log.
 */
export function encodeRefs(refs: InboxAnnouncement[], maxBytes = 7000): string[] {
  const out: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const r of refs) {
    const part = encodeAnnouncement(r, maxBytes);
    const bytes = Buffer.byteLength(part) + 1;
    if (parts.length > 0 && size + bytes > maxBytes) {
      out.push(`[${parts.join(',')}]`);
      parts = [];
      size = 2;
    }
    parts.push(part);
    size += bytes;
  }
  if (parts.length > 0) out.push(`[${parts.join(',')}]`);
  return out;
}

export interface PgBusOptions {
  /**
   * PostgreSQL only: listen on a connection of our own, so that after it is lost and re-made the
   * caller hears of it (`onReconnect`) and can look again; NOTIFYs sent meanwhile are gone.
   */
  databaseUrl?: string | undefined;
  onReconnect?: () => void;
  onError?: (err: unknown) => void;
  /** How that connection is checked while it waits; pg-listen.ts's default if not given. */
  heartbeat?: Heartbeat | undefined;
}

/**
 * The NOTIFY statement for `payloads`, committed without waiting for the WAL flush.
 *
 * A transaction that notifies takes PostgreSQL's NOTIFY lock (one per database) when it commits and
 * holds it to the end, including the flush of its commit record: every notifying commit of the
 * database queues behind one fsync at a time (here 1.5–5 ms each). The inbox's writes are committed
 * (and flushed) before they are announced, so this transaction writes nothing that a crash could
 * lose but the announcement itself, and a crash loses that anyway: the API processes' LISTEN
 * connections go with the server, and their hubs read every socket again when they reconnect
 * (`onReconnect`). So `synchronous_commit` is off for it (set local: this transaction only), and
 * it holds the lock for the commit's time in memory, not a flush. One statement, one commit, for all
 * of a batch's recipients.
 */
const notifyAll = (payloads: string[]) =>
  sql`select pg_notify(${INBOX_CHANNEL}, v.p)
        from (select set_config('synchronous_commit', 'off', true)) s,
             (values ${sql.join(payloads.map((p) => sql`(${p}::text)`))}) as v(p)`;

export function pgNotifyBus(database: Pick<Database, 'db' | 'listen'>, options: PgBusOptions = {}): InboxBus {
  return {
    name: 'postgres',
    async publish(r) {
      await notifyAll([encodeRef(r)]).execute(database.db);
    },
    async publishMany(refs) {
      const payloads = encodeRefs(refs);
      if (payloads.length === 0) return;
      await notifyAll(payloads).execute(database.db);
    },
    async subscribe(onChange) {
      const onPayload = (payload: string) => {
        for (const { events, ...r } of decodeRefs(payload)) onChange(r, events);
      };
      if (options.databaseUrl) {
        // Loaded here: it brings `pg`, which embedded mode never needs.
        const { listenOwn } = await import('../store/pg-listen.ts');
        return listenOwn({
          url: options.databaseUrl,
          channel: INBOX_CHANNEL,
          onMessage: onPayload,
          onError: options.onError,
          onRetryError: options.onError,
          onReconnect: options.onReconnect,
          heartbeat: options.heartbeat,
        });
      }
      // PGlite: in-process, nothing to lose between the publisher and us.
      return database.listen(onPayload, INBOX_CHANNEL);
    },
    async close() {},
  };
}
