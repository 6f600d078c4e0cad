/**
 * Messages a broker source could not read as events: kept as `dead` events (never claimed by the
 * events worker) with the reason and the first bytes of the message. The id is derived from the
 * source and the bytes, so a redelivered poison message is stored once.
 */
import { sql } from 'kysely';
import type { DeadEvent, DeadEventStore } from '../../ports/events.ts';
import type { Db } from './db.ts';

export function kyselyDeadEvents(db: Db): DeadEventStore {
  return {
    async recordDead(serviceId: string, events: DeadEvent[]) {
      if (events.length === 0) return;
      const rows = events.map((e) => ({
        id: e.id,
        name: e.name,
        source: e.source,
        error: e.reason,
        raw: Buffer.from(e.raw).toString('base64'),
      }));
      await sql`
        insert into events (service_id, id, name, payload, request_hash, status, error, source, raw,
                            processed_at)
        select ${serviceId}, x.id, x.name, '{}'::jsonb, x.id, 'dead', x.error, x.source,
               decode(x.raw, 'base64'), now()
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
               as x(id text, name text, source text, error text, raw text)
        on conflict (service_id, id) do nothing`.execute(db);
    },
  };
}
