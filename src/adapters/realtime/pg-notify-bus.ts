/**
 * The inbox bus over PostgreSQL LISTEN/NOTIFY (and PGlite's, in embedded mode): nothing to run beside
 * the database. Its own channel, so inbox traffic never wakes the delivery lanes on `herald_wake`.
 */
import { sql } from 'kysely';
import type { Database } from '../store/connect.ts';
import type { InboxBus, RecipientRef } from '../../ports/inbox.ts';

export const INBOX_CHANNEL = 'herald_inbox';

/** `[serviceId, recipientId]` as JSON: recipient ids are free text, so no separator is safe. */
export const encodeRef = (r: RecipientRef): string => JSON.stringify([r.serviceId, r.recipientId]);

export function decodeRef(payload: string): RecipientRef | null {
  try {
    const v: unknown = JSON.parse(payload);
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string')
      return { serviceId: v[0], recipientId: v[1] };
  } catch {
    /* not ours */
  }
  return null;
}

export function pgNotifyBus(database: Pick<Database, 'db' | 'listen'>): InboxBus {
  return {
    name: 'postgres',
    async publish(r) {
      await sql`select pg_notify(${INBOX_CHANNEL}, ${encodeRef(r)})`.execute(database.db);
    },
    async subscribe(onChange) {
      return database.listen((payload) => {
        const r = decodeRef(payload);
        if (r) onChange(r);
      }, INBOX_CHANNEL);
    },
    async close() {},
  };
}
